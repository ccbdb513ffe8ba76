"""Administrators' console: the tree, rubrics, rating periods, objections, plaques, audit log.

Routes live on the `admin` blueprint (prefix /console); imports.py and dashboard.py add
theirs to it. Roles: admin everything; org_admin their subtree (objections, plaques,
imports); viewer read-only; secretaries have their own pages. Logic is in
services/administration.py; these views parse forms and render.
"""
import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (DateField, DecimalField, IntegerField, SelectChoice, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from starqr import rating
from starqr.models import (MEMBER, AuditLog, Member, Objection, Organisation, PlaqueCode, RatingPeriod,
                           RubricVersion)
from starqr.services import administration, plaques, rubrics, scheduler
from starqr.views.console import register_nav
from starqr.views.console.auth import (ADMIN, ADMINISTRATORS, ORG_ADMIN, VIEWER, can_manage, can_view,
                                       require_organisation_access, roles_required, scope_members,
                                       scope_organisations, scope_root)

admin = Blueprint("admin", __name__, url_prefix="/console")

OVERSEERS = (ADMIN, ORG_ADMIN, VIEWER)  # who may look at administrators' pages

register_nav("admin.dashboard", _l("总览"), roles=OVERSEERS, order=5)
register_nav("admin.tree", _l("组织树"), roles=OVERSEERS, order=20)
register_nav("admin.imports", _l("批量导入"), roles=ADMINISTRATORS, order=30)
register_nav("admin.periods", _l("评定期"), roles=OVERSEERS, order=40)
register_nav("admin.rubrics", _l("评分标准"), roles=OVERSEERS, order=45)
register_nav("admin.objections", _l("异议"), roles=OVERSEERS, order=50)
register_nav("admin.plaque_lookup", _l("牌匾"), roles=ADMINISTRATORS, order=55)
register_nav("admin.audit", _l("操作日志"), roles=(ADMIN,), order=60)
register_nav("admin.tokens", _l("API令牌"), order=85)

STATE_NAMES = {"draft": _l("草稿"), "scheduled": _l("已安排发布"), "notice": _l("公示中"), "final": _l("已定级")}
LEVEL_NAMES = {"banner": _l("旗"), "town": _l("苏木镇"), "unit": _l("嘎查村/单位"), "branch": _l("党支部")}
DOMAIN_NAMES = {"rural": _l("农村牧区"), "community": _l("社区"), "organ": _l("机关"),
                "state_enterprise": _l("国企"), "private_enterprise": _l("非公企业"), "social": _l("社会组织")}


@admin.app_context_processor
def _names():
    return {"state_names": STATE_NAMES, "level_names": LEVEL_NAMES, "domain_names": DOMAIN_NAMES,
            "to_local": scheduler.to_local}


def init_app(app):
    from starqr.views.console import dashboard, imports  # noqa: F401  (routes on `admin`)
    app.register_blueprint(admin)


def choices(pairs):
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def _form_error(form):
    for field_name, errors in form.errors.items():
        for error in errors:
            label = getattr(form, field_name).label.text if hasattr(form, field_name) else field_name
            flash(f"{label}:{error}", "error")


# ---------------------------------------------------------------- the tree

@admin.route("/admin/tree")
@roles_required(*OVERSEERS)
def tree():
    root = scope_root()
    organisation_id = request.args.get("org", type=int)
    if organisation_id:
        current = require_organisation_access(organisation_id)
    else:
        current = root
    search = (request.args.get("q") or "").strip()[:60]
    found_orgs, found_members = [], []
    if search:
        found_orgs = administration.search_organisations(scope_organisations(), search)
        found_members = administration.search_members(scope_members().where(Member.active == True), search)  # noqa: E712
    if current is None:
        children = list(Organisation.select().where(Organisation.parent.is_null()).order_by(Organisation.sort_order,
                                                                                           Organisation.id))
        chain = []
    else:
        children = list(Organisation.select().where(Organisation.parent == current)
                        .order_by(Organisation.sort_order, Organisation.id))
        ids = [int(p) for p in current.path.strip("/").split("/") if p]
        by_id = {o.id: o for o in Organisation.select().where(Organisation.id.in_(ids))}
        chain = [by_id[i] for i in ids if i in by_id and can_view(by_id[i])]
    counts = administration.children_counts([c.id for c in children]) if children else {}
    members = []
    if current is not None and current.level == "branch":
        members = list(Member.select().where(Member.branch == current, Member.active == True)  # noqa: E712
                       .order_by(Member.id).limit(500))
    branch_of = {}
    if found_members:
        branch_of = {o.id: o for o in Organisation.select().where(
            Organisation.id.in_({m.branch_id for m in found_members}))}
    return render_template("console/admin/tree.html", current=current, chain=chain, children=children,
                           counts=counts, members=members, search=search, found_orgs=found_orgs,
                           found_members=found_members, branch_of=branch_of)


# ---------------------------------------------------------------- rubrics

class RubricUploadForm(FlaskForm):
    text = TextAreaField(_l("评分标准文件内容(YAML)"), validators=[Optional(), Length(max=200_000)])
    file = FileField(_l("或上传 YAML 文件"))
    period = SelectField(_l("预览所用评定期"), coerce=int, validate_choice=False)
    preview = SubmitField(_l("预览星级变化"))
    save = SubmitField(_l("保存为新版本"))


def _period_choices():
    return choices([(p.id, f"{p.name}({STATE_NAMES.get(p.state, p.state)})")
                    for p in RatingPeriod.select().order_by(RatingPeriod.year.desc(), RatingPeriod.id.desc())])


@admin.route("/admin/rubrics", endpoint="rubrics")
@roles_required(*OVERSEERS)
def rubrics_list():
    return render_template("console/admin/rubrics.html", keys=administration.rubric_keys())


@admin.route("/admin/rubrics/<key>", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def rubric(key):
    versions = list(RubricVersion.select().where(RubricVersion.key == key).order_by(RubricVersion.version.desc()))
    if not versions:
        abort(404)
    shown = versions[0]
    asked = request.args.get("version", type=int)
    if asked:
        shown = next((v for v in versions if v.version == asked), None) or abort(404)
    form = RubricUploadForm()
    form.period.choices = _period_choices()
    preview = None
    if request.method == "POST":
        if current_user.role != ADMIN:
            abort(403)
        if form.validate_on_submit():
            text = form.text.data or ""
            if form.file.data:
                raw = form.file.data.read()
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    form.text.errors.append(_("文件应为 UTF-8 编码的 YAML"))
                    text = ""
            if text.strip() and not form.text.errors:
                form.text.data = text
                try:
                    if form.save.data:
                        row = administration.upload_rubric(current_user, text, expected_key=key)
                        flash(_("已保存 %(name)s 第 %(version)s 版", name=row.name, version=row.version), "success")
                        return redirect(url_for("admin.rubric", key=key))
                    period = RatingPeriod.get_or_none(RatingPeriod.id == form.period.data)
                    if period is None:
                        form.period.errors.append(_("请选择评定期"))
                    else:
                        new, moves, before, after = administration.rubric_preview(text, period, expected_key=key)
                        preview = {"rubric": new, "moves": moves, "before": before, "after": after, "period": period}
                except rating.RubricError as error:
                    form.text.errors.append(_("评分标准有误:%(error)s", error=str(error)))
            elif not form.text.errors:
                form.text.errors.append(_("请粘贴或上传评分标准文件"))
    parsed = rubrics.parsed(shown)
    return render_template("console/admin/rubric.html", key=key, versions=versions, shown=shown, parsed=parsed,
                           form=form, preview=preview, can_upload=current_user.role == ADMIN)


@admin.route("/admin/rubrics/<key>/v<int:version>.yaml")
@roles_required(*OVERSEERS)
def rubric_file(key, version):
    row = RubricVersion.get_or_none(RubricVersion.key == key, RubricVersion.version == version) or abort(404)
    return row.text, 200, {"Content-Type": "text/yaml; charset=utf-8",
                           "Content-Disposition": f"attachment; filename={key}-v{version}.yaml"}


# ---------------------------------------------------------------- rating periods

class PeriodForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=60)], render_kw={"placeholder": "2026年度"})
    kind = SelectField(_l("类型"), choices=choices([("year", _l("年度")), ("quarter", _l("季度"))]))
    year = IntegerField(_l("年份"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    quarter = IntegerField(_l("季度(1–4,年度可空)"), validators=[Optional(), NumberRange(min=1, max=4)])
    starts_on = DateField(_l("开始日期"), validators=[DataRequired()])
    ends_on = DateField(_l("结束日期"), validators=[DataRequired()])
    notice_days = IntegerField(_l("公示天数"), default=5, validators=[DataRequired(), NumberRange(min=1, max=60)])
    submit = SubmitField(_l("新建评定期"))


class ScheduleForm(FlaskForm):
    publish_date = DateField(_l("发布日期(北京时间)"), validators=[DataRequired()])
    publish_time = StringField(_l("发布时间(北京时间,如 09:00)"), validators=[DataRequired(), Length(max=5)],
                               default="09:00", render_kw={"type": "time"})
    notice_days = IntegerField(_l("公示天数"), validators=[DataRequired(), NumberRange(min=1, max=60)])
    submit = SubmitField(_l("安排发布"))


class ActionForm(FlaskForm):
    submit = SubmitField(_l("确定"))


@admin.route("/admin/periods", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def periods():
    form = PeriodForm()
    if request.method == "POST":
        if current_user.role != ADMIN:
            abort(403)
        if form.validate_on_submit():
            try:
                period = administration.create_period(
                    current_user, form.name.data, form.year.data, form.starts_on.data, form.ends_on.data,
                    kind=form.kind.data, quarter=form.quarter.data, notice_days=form.notice_days.data)
            except administration.AdminError as error:
                flash(str(error), "error")
            else:
                flash(_("已新建评定期 %(name)s", name=period.name), "success")
                return redirect(url_for("admin.period", period_id=period.id))
    elif not form.year.data:
        year = datetime.date.today().year
        form.year.data, form.starts_on.data = year, datetime.date(year, 1, 1)
        form.ends_on.data, form.name.data = datetime.date(year, 12, 31), f"{year}年度"
    rows = list(RatingPeriod.select().order_by(RatingPeriod.year.desc(), RatingPeriod.id.desc()))
    return render_template("console/admin/periods.html", periods=rows, form=form,
                           can_edit=current_user.role == ADMIN)


@admin.route("/admin/periods/<int:period_id>")
@roles_required(*OVERSEERS)
def period(period_id):
    found = RatingPeriod.get_or_none(RatingPeriod.id == period_id) or abort(404)
    form = ScheduleForm()
    local = scheduler.to_local(found.publish_at) if found.publish_at else None
    if local is None:
        local = administration.now_local() + datetime.timedelta(days=1)
        local = local.replace(hour=9, minute=0)
    form.publish_date.data, form.publish_time.data = local.date(), local.strftime("%H:%M")
    form.notice_days.data = found.notice_days
    distribution = administration.distribution(found)
    drafts = sum(distribution[MEMBER].values()) + sum(distribution["organisation"].values())
    return render_template("console/admin/period.html", period=found, form=form, action_form=ActionForm(),
                           distribution=distribution, drafts=drafts, can_edit=current_user.role == ADMIN,
                           now_local=administration.now_local())


def _admin_period(period_id):
    found = RatingPeriod.get_or_none(RatingPeriod.id == period_id) or abort(404)
    return found


@admin.route("/admin/periods/<int:period_id>/draft", methods=["POST"])
@roles_required(ADMIN)
def period_draft(period_id):
    found = _admin_period(period_id)
    if ActionForm().validate_on_submit():
        try:
            count = administration.compute_draft(current_user, found)
        except administration.AdminError as error:
            flash(str(error), "error")
        else:
            flash(_("已计算 %(count)s 个草稿评定结果", count=count), "success")
    return redirect(url_for("admin.period", period_id=period_id))


@admin.route("/admin/periods/<int:period_id>/schedule", methods=["POST"])
@roles_required(ADMIN)
def period_schedule(period_id):
    found = _admin_period(period_id)
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            when = administration.parse_local(form.publish_date.data.isoformat(), form.publish_time.data)
            administration.schedule_period(current_user, found, when, form.notice_days.data)
        except administration.AdminError as error:
            flash(str(error), "error")
        else:
            flash(_("已安排在北京时间 %(when)s 发布,公示 %(days)s 天", when=when.strftime("%Y-%m-%d %H:%M"),
                    days=found.notice_days), "success")
    else:
        _form_error(form)
    return redirect(url_for("admin.period", period_id=period_id))


@admin.route("/admin/periods/<int:period_id>/unschedule", methods=["POST"])
@roles_required(ADMIN)
def period_unschedule(period_id):
    found = _admin_period(period_id)
    if ActionForm().validate_on_submit():
        try:
            administration.unschedule_period(current_user, found)
        except administration.AdminError as error:
            flash(str(error), "error")
        else:
            flash(_("已取消发布安排"), "success")
    return redirect(url_for("admin.period", period_id=period_id))


# ---------------------------------------------------------------- objections

class ResolveForm(FlaskForm):
    decision = SelectField(_l("处理结果"), choices=choices([("reject", _l("驳回(理由公开显示)")),
                                                           ("accept", _l("采纳(登记更正并重新评定)"))]))
    reason = TextAreaField(_l("理由 / 说明"), validators=[Optional(), Length(max=1000)])
    item = SelectField(_l("更正项目(采纳时可选)"), validate_choice=False)
    points = DecimalField(_l("调整分值(采纳时可选,可为负)"), places=2,
                          validators=[Optional(), NumberRange(min=-100, max=100)])
    submit = SubmitField(_l("提交"))


def _objection_org(objection):
    kind, subject_id, subject = administration.objection_subject(objection)
    return subject.branch if kind == MEMBER else subject, subject


@admin.route("/admin/objections")
@roles_required(*OVERSEERS)
def objections():
    status = request.args.get("status", "open")
    if status not in ("open", "accepted", "rejected"):
        status = "open"
    rows = list(Objection.select(Objection, PlaqueCode).join(PlaqueCode)
                .where(Objection.status == status).order_by(Objection.created_at.desc()).limit(400))
    shown = []
    for objection in rows:
        org, subject = _objection_org(objection)
        if can_view(org):
            shown.append((objection, subject, org))
    return render_template("console/admin/objections.html", rows=shown[:200], status=status)


@admin.route("/admin/objections/<int:objection_id>", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def objection(objection_id):
    found = Objection.get_or_none(Objection.id == objection_id) or abort(404)
    org, subject = _objection_org(found)
    if not can_view(org):
        abort(404)
    kind = found.plaque.subject_kind
    key = rubrics.member_rubric_key(subject.branch) if kind == MEMBER else rubrics.organisation_rubric_key(subject)
    _version, rubric = rubrics.current_rubric(key)
    form = ResolveForm()
    form.item.choices = choices([("", _("(不更正积分)"))] + [(i.id, f"{i.name}({i.id})") for i in rubric.items])
    if request.method == "POST":
        if current_user.role not in ADMINISTRATORS or not can_manage(org):
            abort(403)
        if form.validate_on_submit():
            accepted = form.decision.data == "accept"
            try:
                _resolved, rerated = administration.resolve_objection(
                    current_user, found, accepted, form.reason.data,
                    item=form.item.data or None if accepted else None,
                    points=form.points.data if accepted else None)
            except administration.AdminError as error:
                flash(str(error), "error")
            else:
                flash(_("异议已采纳,重新评定 %(count)s 个结果", count=rerated) if accepted
                      else _("异议已驳回,理由将在公开页面显示"), "success")
                return redirect(url_for("admin.objections"))
    return render_template("console/admin/objection.html", objection=found, subject=subject, org=org, form=form,
                           can_resolve=current_user.role in ADMINISTRATORS and found.status == "open")


# ---------------------------------------------------------------- plaques

class PlaqueActionForm(FlaskForm):
    action = SelectField(_l("操作"), choices=choices([("reissue", _l("补发(旧码作废并指向新码)")),
                                                     ("revoke", _l("作废(不补发)"))]))
    reason = StringField(_l("原因"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("确定"))


@admin.route("/admin/plaques")
@roles_required(*ADMINISTRATORS)
def plaque_lookup():
    code = plaques.normalise(request.args.get("code"))[:16]
    found = subject = org = None
    if code:
        found = PlaqueCode.get_or_none(PlaqueCode.code == code)
        if found is not None:
            subject = plaques.subject_of(found)
            org = subject.branch if found.subject_kind == MEMBER else subject
            if not can_view(org):
                found = subject = org = None
    events = plaques.events_of(found) if found else []
    return render_template("console/admin/plaques.html", code=code, plaque=found, subject=subject, org=org,
                           events=events, form=PlaqueActionForm())


@admin.route("/admin/plaques/<code>", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def plaque_action(code):
    found = PlaqueCode.get_or_none(PlaqueCode.code == plaques.normalise(code)) or abort(404)
    subject = plaques.subject_of(found)
    org = subject.branch if found.subject_kind == MEMBER else subject
    if not can_view(org):
        abort(404)
    if not can_manage(org):
        abort(403)
    form = PlaqueActionForm()
    if form.validate_on_submit():
        try:
            if form.action.data == "reissue":
                new = administration.reissue_plaque(current_user, found.code, form.reason.data)
                flash(_("已补发新码 %(code)s,旧码 %(old)s 已作废", code=new.code, old=found.code), "success")
                return redirect(url_for("admin.plaque_lookup", code=new.code))
            administration.revoke_plaque(current_user, found.code, form.reason.data)
            flash(_("牌匾 %(code)s 已作废", code=found.code), "success")
        except administration.AdminError as error:
            flash(str(error), "error")
    else:
        _form_error(form)
    return redirect(url_for("admin.plaque_lookup", code=found.code))


# ---------------------------------------------------------------- audit log

@admin.route("/admin/audit")
@roles_required(ADMIN)
def audit():
    query = AuditLog.select()
    actor = (request.args.get("actor") or "").strip()[:60]
    action = (request.args.get("action") or "").strip()[:60]
    if actor:
        query = query.where(AuditLog.actor == actor)
    if action:
        query = query.where(AuditLog.action.startswith(action))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows = list(query.order_by(AuditLog.id.desc()).offset((page - 1) * 100).limit(101))
    return render_template("console/admin/audit.html", rows=rows[:100], more=len(rows) > 100, page=page,
                           actor=actor, action=action)


# ---------------------------------------------------------------- API tokens

class TokenForm(FlaskForm):
    name = StringField(_l("用途"), validators=[DataRequired(), Length(max=60)], render_kw={"placeholder": "导入脚本"})
    submit = SubmitField(_l("生成令牌"))


@admin.route("/tokens", methods=["GET", "POST"])
@roles_required(ADMIN, ORG_ADMIN, "secretary", VIEWER)
def tokens():
    from starqr.services import api_tokens
    me = current_user._get_current_object()
    me = getattr(me, "_user", me)
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _row, new_token = api_tokens.create(me, form.name.data, actor=me)
        flash(_("令牌只显示这一次,请立即复制保存。"), "info")
    return render_template("console/admin/tokens.html", form=form, new_token=new_token,
                           tokens=api_tokens.for_user(me), action_form=ActionForm())


@admin.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(ADMIN, ORG_ADMIN, "secretary", VIEWER)
def token_revoke(token_id):
    from starqr.models import ApiToken
    from starqr.services import api_tokens
    me = current_user._get_current_object()
    me = getattr(me, "_user", me)
    token = ApiToken.get_or_none(ApiToken.id == token_id, ApiToken.user == me.id) or abort(404)
    if ActionForm().validate_on_submit():
        api_tokens.revoke(token, me)
        flash(_("令牌已撤销"), "success")
    return redirect(url_for("admin.tokens"))
