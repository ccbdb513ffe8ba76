"""Organisation tree administration (create, rename, move, archive, rubric), the tree and roster
imports (upload → preview → confirm), departures of members missing from the roster, import
templates and the ratings record download. Logic lives in services; these views parse and render.
"""

import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField

from starqr.errors import StarQRError
from starqr.services import departures, organisations, period_rules, rubrics, ratings_export, rubric_assignments
from starqr.services import vocabulary as words
from starqr.services.imports import roster_apply, tree, workbooks
from starqr.views.console import register_nav
from starqr.views.console.admin import admin
from starqr.views.console.helpers import CSV, XLSX, attachment, choices, error_text, valid_or_400
from starqr.services.consoles import admin_pages
from starqr.services.consoles.import_pages import recent_batches
from starqr.views.console.imports import ConfirmUploadForm, UploadForm, preview_page, queue, uploaded
from starqr.views.console.auth import (
    ADMINISTRATORS,
    current_actor,
    require_organisation_access,
    roles_required,
    scope_root,
)

register_nav("admin.onboarding", _l("组织与花名册"), roles=ADMINISTRATORS, order=25)
IMPORTERS = {"tree": tree, "roster": roster_apply}


class CreateForm(FlaskForm):
    name_zh = StringField(_l("组织名称"))
    name_mn = StringField(_l("蒙古文名称"))
    code = StringField(_l("组织编码"))
    level = SelectField(_l("层级"), choices=choices([(k, v) for k, v in words.LEVEL_NAMES.items() if k != "banner"]))
    domain = SelectField(_l("领域"), choices=choices(words.DOMAIN_NAMES.items()))
    submit = SubmitField(_l("新建下级组织"))


class RenameForm(FlaskForm):
    name_zh = StringField(_l("组织名称"))
    name_mn = StringField(_l("蒙古文名称"))
    code = StringField(_l("组织编码"))
    submit = SubmitField(_l("保存名称"))


class MoveForm(FlaskForm):
    parent = StringField(_l("新上级组织的编码"))
    submit = SubmitField(_l("调整隶属关系"))


class ArchiveForm(FlaskForm):
    reason = StringField(_l("撤销或合并的原因"))
    merged_into = StringField(_l("并入组织的编码(撤销则留空)"))
    submit = SubmitField(_l("撤销该组织"))


class RubricForm(FlaskForm):
    rubric = SelectField(_l("评分标准"), validate_choice=False)
    subtree = BooleanField(_l("下级组织一并适用"), default=True)
    reason = StringField(_l("原因"))
    submit = SubmitField(_l("指定评分标准"))


class OnboardingUploadForm(UploadForm):
    kind = SelectField(_l("导入内容"), choices=choices([("tree", _l("组织树")), ("roster", _l("党员花名册"))]))


class ConfirmOnboardingForm(ConfirmUploadForm):
    kind = HiddenField()


class DepartureForm(FlaskForm):
    reason = StringField(_l("离开原因(不公开)"))
    confirm = SubmitField(_l("确认离开名册"))
    keep = SubmitField(_l("仍在名册,取消标记"))


def _fail(error):
    flash(error_text(error), "error")


def _organisation(organisation_id):
    return require_organisation_access(organisation_id, write=True)


def _by_code(code):
    try:
        return organisations.by_code(code)
    except StarQRError as error:
        _fail(error)
        return None


@admin.route("/organisations")
@roles_required(*ADMINISTRATORS)
def organisation_page():
    organisation_id = request.args.get("org", type=int)
    position = organisations.tree_position(
        require_organisation_access(organisation_id) if organisation_id else scope_root()
    )
    if position is None:
        return render_template("console/organisations/index.html", current=None)
    current, children = position["current"], position["children"]
    effective = rubric_assignments.effective_rubrics([current] + children)
    member_effective = rubric_assignments.effective_rubrics([current], scope=rubric_assignments.MEMBER_SCOPE)
    rubric_form = RubricForm()
    rubric_form.rubric.choices = choices([(key, f"{row.name}({key})") for key, row in rubrics.rubric_keys()])
    return render_template(
        "console/organisations/index.html",
        current=current,
        children=children,
        chain=position["chain"],
        effective=effective,
        member_effective=member_effective[current.id],
        history=rubric_assignments.history(current),
        create_form=CreateForm(formdata=None),
        rename_form=RenameForm(formdata=None, obj=current),
        move_form=MoveForm(formdata=None),
        archive_form=ArchiveForm(formdata=None),
        rubric_form=rubric_form,
        level_names=words.LEVEL_NAMES,
        domain_names=words.DOMAIN_NAMES,
        can_assign=current_actor().sees_everything,
        members=position["members"],
    )


def _back(organisation):
    return redirect(url_for("admin.organisation_page", org=organisation.id))


@admin.route("/organisations/<int:organisation_id>/<action>", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def organisation_action(organisation_id, action):
    organisation = _organisation(organisation_id)
    actor = current_actor()
    try:
        if action == "create":
            form = CreateForm()
            if form.validate_on_submit():
                created = organisations.create(
                    actor,
                    organisation,
                    form.level.data,
                    form.domain.data,
                    form.name_zh.data,
                    form.name_mn.data,
                    form.code.data,
                )
                flash(_("已新建 %(name)s", name=created.name_zh), "success")
                return _back(created)
        elif action == "rename":
            form = RenameForm()
            if form.validate_on_submit():
                organisations.rename(actor, organisation, form.name_zh.data, form.name_mn.data, form.code.data)
                flash(_("名称已保存"), "success")
        elif action == "move":
            form = MoveForm()
            parent = _by_code(form.parent.data) if form.validate_on_submit() else None
            if parent is not None:
                organisations.move(actor, organisation, require_organisation_access(parent.id, write=True))
                flash(_("已调整到 %(name)s 之下", name=parent.name_zh), "success")
        elif action == "archive":
            form = ArchiveForm()
            if form.validate_on_submit():
                merged = None
                if (form.merged_into.data or "").strip():
                    merged = _by_code(form.merged_into.data)
                    if merged is None:
                        return _back(organisation)
                organisations.archive(actor, organisation, form.reason.data, merged)
                flash(_("组织已撤销,其牌匾将显示撤销或合并去向"), "success")
        elif action == "rubric":
            form = RubricForm()
            form.rubric.choices = choices([(key, key) for key, _row in rubrics.rubric_keys()])
            if form.validate_on_submit():
                row = rubric_assignments.assign(
                    actor, organisation, form.rubric.data, form.subtree.data, form.reason.data
                )
                flash(_("评分标准已指定,从 %(day)s 起的评定期适用", day=row.applies_from.isoformat()), "success")
        else:
            abort(404)
    except StarQRError as error:
        _fail(error)
    return _back(organisation)


# ---------------------------------------------------------------- imports, templates, departures


@admin.route("/onboarding")
@roles_required(*ADMINISTRATORS)
def onboarding():
    periods = admin_pages.periods()
    return render_template(
        "console/organisations/imports.html",
        form=OnboardingUploadForm(formdata=None),
        batches=recent_batches(current_actor(), kinds=("tree", "roster"), limit=10),
        flagged=departures.flagged(current_actor()),
        departure_form=DepartureForm(formdata=None),
        periods=periods,
        root=scope_root(),
    )


@admin.route("/onboarding/preview", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def onboarding_preview():
    form = OnboardingUploadForm()
    upload = uploaded(form, "import.xlsx")
    if upload is None:
        return redirect(url_for("admin.onboarding"))
    data, filename = upload
    kind = form.kind.data
    return preview_page(
        kind,
        data,
        filename,
        lambda: IMPORTERS[kind].run(data, filename, current_actor(), dry_run=True),
        lambda sha: ConfirmOnboardingForm(kind=kind, sha=sha, filename=filename, formdata=None),
    )


@admin.route("/onboarding/confirm", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def onboarding_confirm():
    form = valid_or_400(ConfirmOnboardingForm())
    if form.kind.data not in IMPORTERS:
        abort(400)
    return queue(None, form.sha.data, form.filename.data, url_for("admin.onboarding"), kind=form.kind.data)


@admin.route("/onboarding/templates/<kind>.xlsx")
@roles_required(*ADMINISTRATORS)
def onboarding_template(kind):
    if kind not in workbooks.KINDS:
        abort(404)
    rubric = request.args.get("rubric", "member_points")
    if rubric not in dict(rubrics.rubric_keys()):
        abort(404)
    return attachment(workbooks.template(kind, rubric), XLSX, f"starqr-{kind}-template.xlsx")


@admin.route("/onboarding/departures", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def onboarding_departures():
    form = valid_or_400(DepartureForm())
    chosen = request.form.getlist("member", type=int)
    if not chosen:
        flash(_("请先选择党员"), "error")
        return redirect(url_for("admin.onboarding"))
    try:
        if form.keep.data:
            count = departures.dismiss(current_actor(), chosen)
            flash(_("%(n)s 人保留在名册中", n=count), "success")
        else:
            count = departures.confirm(current_actor(), chosen, form.reason.data, datetime.date.today())
            flash(_("%(n)s 人已移出名册", n=count), "success")
    except StarQRError as error:
        _fail(error)
    return redirect(url_for("admin.onboarding"))


@admin.route("/onboarding/ratings.<fmt>")
@roles_required(*ADMINISTRATORS)
def ratings_download(fmt):
    period = period_rules.find(request.args.get("period", type=int)) or abort(404)
    under = scope_root()
    if request.args.get("org", type=int):
        under = require_organisation_access(request.args.get("org", type=int))
    if fmt == "xlsx":
        body, _organisations, _members = ratings_export.xlsx(period, under)
        return attachment(body, XLSX, f"starqr-ratings-{period.id}.xlsx")
    if fmt in ("organisations.csv", "members.csv"):
        organisation_csv, member_csv, _o, _m = ratings_export.csv_files(period, under)
        body = organisation_csv if fmt.startswith("organisations") else member_csv
        return attachment(body, CSV, f"starqr-ratings-{period.id}-{fmt}")
    abort(404)
