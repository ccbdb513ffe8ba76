"""Secretaries' work: their branch, members, posts, commitments, points events and plaques.

Thin views: scope checks here (starqr.views.console.auth), rules and audit entries in
starqr.services.members. Organisation administrators and admins use the same pages for
any branch in their subtree; viewers see them read-only.
"""
import datetime
import io

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from starqr.models import (MEMBER, ORGANISATION, Commitment, LedgerEntry, Member, MemberPrivate, Organisation,
                           PlaqueCode, Post)
from starqr.services import members as member_service
from starqr.services import plaques as plaque_service
from starqr.services.members import MemberError
from starqr.views.console import console
from starqr.views.console.auth import (WRITERS, can_manage, login_required, require_branch_access,
                                       require_member_access, require_subject_access, roles_required,
                                       scope_branches, subject_branch)
from starqr.views.console.forms import (_choices, BranchForm, CommitmentForm, CorrectionForm, EvidenceForm, MemberForm,
                                        OutcomeForm, PointsForm, PostForm, ProgressForm, RetireForm,
                                        TransferForm)

# Evidence photos of public commitments, served outside the console.
public_evidence = Blueprint("evidence", __name__)

STATUS_NAMES = {"not_started": _l("未开始"), "in_progress": _l("进行中"), "done": _l("已践诺"), "not_done": _l("未践诺")}
CATEGORY_NAMES = {"backbone": _l("骨干"), "ordinary": _l("普通"), "mobile": _l("流动"), "special": _l("特殊")}
ITEM_KIND_NAMES = {"event": _l("计次"), "bonus": _l("加分"), "value": _l("分值"), "veto": _l("否决"),
                   "gate": _l("基本条件")}


@console.app_context_processor
def _names():
    return {"status_names": STATUS_NAMES, "category_names": CATEGORY_NAMES}


def _actor():
    user = current_user._get_current_object()
    return getattr(user, "_user", user)


def _form_page(form, title, back, action=None, enctype=None, note=None):
    return render_template("console/secretary/form.html", form=form, title=title, back=back,
                           action=action or request.path, enctype=enctype, note=note)


# ---------------------------------------------------------------- branch

@console.route("/branches/<int:branch_id>")
@login_required
def branch(branch_id):
    branch = require_branch_access(branch_id)
    show_all = request.args.get("all") == "1"
    query = Member.select().where(Member.branch == branch)
    if not show_all:
        query = query.where(Member.active == True)  # noqa: E712
    members = list(query.order_by(Member.active.desc(), Member.name_zh))
    retired = (Member.select().where(Member.branch == branch, Member.active == False).count()  # noqa: E712
               if not show_all else 0)
    codes = {p.subject_id: p.code for p in PlaqueCode.select().where(
        PlaqueCode.subject_kind == MEMBER, PlaqueCode.status == "active",
        PlaqueCode.subject_id.in_([m.id for m in members] or [0]))}
    branch_code = plaque_service.active_code(ORGANISATION, branch.id)
    commitments = list(Commitment.select().where(Commitment.subject_kind == ORGANISATION,
                                                 Commitment.subject_id == branch.id)
                       .order_by(Commitment.year.desc(), Commitment.id))
    return render_template("console/secretary/branch.html", branch=branch, members=members, codes=codes,
                           retired=retired, show_all=show_all, branch_code=branch_code, commitments=commitments,
                           entries=member_service.entries_for(branch, limit=20),
                           corrected=_corrected_ids(member_service.entries_for(branch, limit=20)), writable=can_manage(branch),
                           item_names=_item_names(branch))


@console.route("/branches/<int:branch_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit_branch(branch_id):
    branch = require_branch_access(branch_id, write=True)
    form = BranchForm(obj=branch)
    if form.validate_on_submit():
        member_service.edit_branch(_actor(), branch, {f.name: f.data for f in form if f.name in member_service.BRANCH_FIELDS})
        flash(_("支部信息已保存。"), "success")
        return redirect(url_for("console.branch", branch_id=branch.id))
    return _form_page(form, _("编辑支部信息"), url_for("console.branch", branch_id=branch.id))


# ---------------------------------------------------------------- members

def _member_data(form):
    fields = {f.name: f.data for f in form if f.name in member_service.MEMBER_FIELDS}
    private = {f.name: f.data for f in form if f.name in member_service.PRIVATE_FIELDS}
    return fields, private


@console.route("/branches/<int:branch_id>/members/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def add_member(branch_id):
    branch = require_branch_access(branch_id, write=True)
    form = MemberForm()
    if form.validate_on_submit():
        fields, private = _member_data(form)
        try:
            member = member_service.add_member(_actor(), branch, fields, private)
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("已添加党员 %(name)s，并生成了党员挂牌二维码。", name=member.name_zh), "success")
            return redirect(url_for("console.member", member_id=member.id))
    return _form_page(form, _("添加党员"), url_for("console.branch", branch_id=branch.id),
                      note=_("带“不公开”的信息只保存在系统内，扫码页不显示。"))


@console.route("/members/<int:member_id>")
@login_required
def member(member_id):
    member = require_member_access(member_id)
    posts = list(Post.select().where(Post.member == member).order_by(Post.active.desc(), Post.id))
    commitments = list(Commitment.select().where(Commitment.subject_kind == MEMBER, Commitment.subject_id == member.id)
                       .order_by(Commitment.year.desc(), Commitment.id))
    private = MemberPrivate.get_or_none(MemberPrivate.member == member)
    corrected = _corrected_ids(member_service.entries_for(member))
    return render_template("console/secretary/member.html", member=member, posts=posts, commitments=commitments,
                           private=private, entries=member_service.entries_for(member), corrected=corrected,
                           plaque=plaque_service.active_code(MEMBER, member.id), writable=can_manage(member.branch),
                           item_names=_item_names(member))


def _item_names(subject):
    _version, rubric = member_service.subject_rubric(subject)
    return {item.id: item.name for item in rubric.items}


def _corrected_ids(entries):
    ids = [e.id for e in entries]
    if not ids:
        return set()
    return {row.corrects_id for row in LedgerEntry.select(LedgerEntry.corrects)
            .where(LedgerEntry.corrects.in_(ids))}


@console.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit_member(member_id):
    member = require_member_access(member_id, write=True)
    private = MemberPrivate.get_or_none(MemberPrivate.member == member)
    form = MemberForm(obj=member)
    if request.method == "GET" and private is not None:
        for name in member_service.PRIVATE_FIELDS:
            getattr(form, name).data = getattr(private, name)
    if form.validate_on_submit():
        fields, private_fields = _member_data(form)
        try:
            member_service.edit_member(_actor(), member, fields, private_fields)
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("console.member", member_id=member.id))
    return _form_page(form, _("编辑党员信息：%(name)s", name=member.name_zh), url_for("console.member", member_id=member.id))


@console.route("/members/<int:member_id>/transfer", methods=["GET", "POST"])
@roles_required(*WRITERS)
def transfer_member(member_id):
    member = require_member_access(member_id, write=True)
    targets = [b for b in scope_branches().order_by(Organisation.path) if b.id != member.branch_id]
    form = TransferForm()
    form.branch.choices = _choices([(b.id, b.name_zh) for b in targets])
    if not targets:
        flash(_("您的权限范围内没有其他支部可以转入；跨支部转接请联系上级组织管理员办理。"), "info")
        return redirect(url_for("console.member", member_id=member.id))
    if form.validate_on_submit():
        target = require_branch_access(form.branch.data, write=True)
        try:
            member_service.transfer_member(_actor(), member, target, form.reason.data)
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("已转入 %(branch)s。", branch=target.name_zh), "success")
            return redirect(url_for("console.member", member_id=member.id))
    return _form_page(form, _("组织关系转接：%(name)s", name=member.name_zh), url_for("console.member", member_id=member.id))


@console.route("/members/<int:member_id>/retire", methods=["GET", "POST"])
@roles_required(*WRITERS)
def retire_member(member_id):
    member = require_member_access(member_id, write=True)
    form = RetireForm()
    if request.method == "GET":
        form.left_on.data = datetime.date.today()
    if form.validate_on_submit():
        try:
            member_service.retire_member(_actor(), member, form.left_on.data, form.reason.data)
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("已移出名册。记录、积分和历次评星都会保留。"), "success")
            return redirect(url_for("console.member", member_id=member.id))
    return _form_page(form, _("移出名册：%(name)s", name=member.name_zh), url_for("console.member", member_id=member.id),
                      note=_("移出名册不会删除任何记录；扫码页将显示该党员已不在本支部。"))


# ---------------------------------------------------------------- posts

@console.route("/members/<int:member_id>/posts/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def add_post(member_id):
    member = require_member_access(member_id, write=True)
    form = PostForm()
    if form.validate_on_submit():
        try:
            member_service.add_post(_actor(), member, {f.name: f.data for f in form if f.name in member_service.POST_FIELDS})
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("岗位已添加。"), "success")
            return redirect(url_for("console.member", member_id=member.id))
    return _form_page(form, _("设岗定责：%(name)s", name=member.name_zh), url_for("console.member", member_id=member.id))


@console.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit_post(post_id):
    post = Post.get_or_none(Post.id == post_id) or abort(404)
    member = require_member_access(post.member, write=True)
    form = PostForm(obj=post)
    if form.validate_on_submit():
        try:
            member_service.edit_post(_actor(), post, {f.name: f.data for f in form if f.name in member_service.POST_FIELDS})
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("岗位已保存。"), "success")
            return redirect(url_for("console.member", member_id=member.id))
    return _form_page(form, _("编辑岗位"), url_for("console.member", member_id=member.id))


# ---------------------------------------------------------------- commitments

def _subject_url(subject):
    if isinstance(subject, Member):
        return url_for("console.member", member_id=subject.id)
    return url_for("console.branch", branch_id=subject.id)


def _new_commitment(subject):
    form = CommitmentForm()
    if request.method == "GET":
        form.year.data = datetime.date.today().year
    if form.validate_on_submit():
        try:
            commitment = member_service.add_commitment(
                _actor(), subject, {f.name: f.data for f in form if f.name in member_service.COMMITMENT_FIELDS})
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("承诺已添加，将在扫码页公开。"), "success")
            return redirect(url_for("console.commitment", commitment_id=commitment.id))
    return _form_page(form, _("添加承诺：%(name)s", name=subject.name_zh), _subject_url(subject))


@console.route("/members/<int:member_id>/commitments/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def add_member_commitment(member_id):
    return _new_commitment(require_member_access(member_id, write=True))


@console.route("/branches/<int:branch_id>/commitments/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def add_branch_commitment(branch_id):
    return _new_commitment(require_branch_access(branch_id, write=True))


def _commitment(commitment_id, write=False):
    commitment = Commitment.get_or_none(Commitment.id == commitment_id)
    if commitment is None:
        abort(404)
    subject = require_subject_access(commitment.subject_kind, commitment.subject_id, write=write)
    return commitment, subject


@console.route("/commitments/<int:commitment_id>")
@login_required
def commitment(commitment_id):
    commitment, subject = _commitment(commitment_id)
    writable = can_manage(subject_branch(subject))
    progress = ProgressForm(formdata=None, date=datetime.date.today())
    evidence = EvidenceForm(formdata=None)
    outcome = OutcomeForm(formdata=None, obj=commitment)
    return render_template("console/secretary/commitment.html", commitment=commitment, subject=subject,
                           subject_url=_subject_url(subject), writable=writable, progress_form=progress,
                           evidence_form=evidence, outcome_form=outcome)


@console.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit_commitment(commitment_id):
    commitment, subject = _commitment(commitment_id, write=True)
    form = CommitmentForm(obj=commitment)
    if form.validate_on_submit():
        try:
            member_service.edit_commitment(_actor(), commitment,
                                           {f.name: f.data for f in form if f.name in member_service.COMMITMENT_FIELDS})
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("console.commitment", commitment_id=commitment.id))
    return _form_page(form, _("编辑承诺"), url_for("console.commitment", commitment_id=commitment.id))


@console.route("/commitments/<int:commitment_id>/progress", methods=["POST"])
@roles_required(*WRITERS)
def commitment_progress(commitment_id):
    commitment, _subject = _commitment(commitment_id, write=True)
    form = ProgressForm()
    if form.validate_on_submit():
        try:
            member_service.add_progress(_actor(), commitment, form.date.data, form.text.data)
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("进展已记录。"), "success")
    else:
        flash(_("请填写日期和进展情况。"), "error")
    return redirect(url_for("console.commitment", commitment_id=commitment.id))


@console.route("/commitments/<int:commitment_id>/evidence", methods=["POST"])
@roles_required(*WRITERS)
def commitment_evidence(commitment_id):
    commitment, _subject = _commitment(commitment_id, write=True)
    form = EvidenceForm()
    if form.validate_on_submit():
        data = form.photo.data.read(member_service.MAX_EVIDENCE_BYTES + 1)
        try:
            member_service.add_evidence_photo(_actor(), commitment, data, current_app.config["UPLOAD_FOLDER"],
                                              caption=form.caption.data)
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("佐证照片已上传（已去除拍摄位置等隐藏信息）。"), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("console.commitment", commitment_id=commitment.id))


@console.route("/commitments/<int:commitment_id>/outcome", methods=["POST"])
@roles_required(*WRITERS)
def commitment_outcome(commitment_id):
    commitment, _subject = _commitment(commitment_id, write=True)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            member_service.set_outcome(_actor(), commitment, form.status.data, form.evaluation.data,
                                       form.reason_not_kept.data)
        except MemberError as error:
            flash(str(error), "error")
        else:
            flash(_("践诺结果已保存。"), "success")
    return redirect(url_for("console.commitment", commitment_id=commitment.id))


def _send_evidence(path):
    with open(path, "rb") as handle:  # small re-encoded JPEGs: read whole, nothing left open
        response = Response(handle.read(), mimetype="image/jpeg")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@console.route("/commitments/<int:commitment_id>/evidence/<name>")
@login_required
def evidence_photo(commitment_id, name):
    commitment, _subject = _commitment(commitment_id)
    path = member_service.evidence_path(commitment, name, current_app.config["UPLOAD_FOLDER"])
    if path is None:
        abort(404)
    return _send_evidence(path)


@public_evidence.route("/evidence/<int:commitment_id>/<name>")
def public_photo(commitment_id, name):
    """A photo attached to a public commitment; anything else is a 404."""
    commitment = Commitment.get_or_none(Commitment.id == commitment_id)
    if commitment is None or not member_service.is_public_commitment(commitment):
        abort(404)
    path = member_service.evidence_path(commitment, name, current_app.config["UPLOAD_FOLDER"])
    if path is None:
        abort(404)
    response = _send_evidence(path)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


# ---------------------------------------------------------------- points events

def _points(subject):
    periods = member_service.open_periods()
    back = _subject_url(subject)
    if not periods:
        flash(_("目前没有可以记录积分的评星周期，请联系组织管理员。"), "error")
        return redirect(back)
    _version, rubric = member_service.subject_rubric(subject)
    items = member_service.recordable_items(rubric)
    form = PointsForm()
    form.period.choices = _choices([(p.id, p.name) for p in periods])
    form.item.choices = _choices([(i.id, _item_label(i)) for i in items])
    if request.method == "GET":
        form.occurred_on.data = datetime.date.today()
    if form.validate_on_submit():
        period = next(p for p in periods if p.id == form.period.data)
        try:
            entries = member_service.record_points(
                _actor(), subject, period, form.item.data, form.reason.data, count=form.count.data or 1,
                value=form.value.data, occurred_on=form.occurred_on.data, evidence=form.evidence.data,
                public_reason=form.public_reason.data)
        except MemberError as error:
            form.item.errors = list(form.item.errors) + [str(error)]
        else:
            total = sum(e.points for e in entries)
            flash(_("已记录：%(item)s %(points)s 分，扫码页已更新。", item=rubric.item(form.item.data).name,
                    points=f"{total:+}"), "success")
            return redirect(back)
    return render_template("console/secretary/points.html", form=form, subject=subject, back=back, items=items,
                           rubric=rubric, kind_names=ITEM_KIND_NAMES)


def _item_label(item):
    if item.kind in ("event", "bonus") and item.points is not None:
        points = f"{item.points:+g}"
        cap = _("，上限%(cap)s", cap=f"{item.cap:g}") if item.cap else ""
        return _("%(name)s（每次%(points)s分%(cap)s）", name=item.name, points=points, cap=cap)
    return f"{item.name}（{item.min:g}–{item.max:g}）"


@console.route("/members/<int:member_id>/points", methods=["GET", "POST"])
@roles_required(*WRITERS)
def member_points(member_id):
    return _points(require_member_access(member_id, write=True))


@console.route("/branches/<int:branch_id>/points", methods=["GET", "POST"])
@roles_required(*WRITERS)
def branch_points(branch_id):
    return _points(require_branch_access(branch_id, write=True))


@console.route("/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@roles_required(*WRITERS)
def correct_entry(entry_id):
    entry = LedgerEntry.get_or_none(LedgerEntry.id == entry_id)
    if entry is None:
        abort(404)
    subject = require_subject_access(entry.subject_kind, entry.subject_id, write=True)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            member_service.correct_entry(_actor(), entry, form.reason.data, form.new_points.data)
        except MemberError as error:
            form.reason.errors = list(form.reason.errors) + [str(error)]
        else:
            flash(_("已冲销原记录并记入更正。原记录保留可查。"), "success")
            return redirect(_subject_url(subject))
    note = _("原记录：%(item)s %(points)s 分，%(reason)s（%(by)s 记录）", item=entry.item, points=f"{entry.points:+}",
             reason=entry.reason, by=entry.recorded_by)
    return _form_page(form, _("更正积分记录"), _subject_url(subject), note=note)


# ---------------------------------------------------------------- plaques

@console.route("/branches/<int:branch_id>/plaques")
@login_required
def branch_plaques(branch_id):
    branch = require_branch_access(branch_id)
    rows = plaque_service.plaques_for_organisation(branch, include_organisations=True)
    rows.sort(key=lambda row: (row[0].subject_kind != ORGANISATION, row[1].name_zh))
    return render_template("console/secretary/plaques.html", branch=branch, rows=rows,
                           base_url=current_app.config["PUBLIC_BASE_URL"], public_url=plaque_service.public_url)


PLAQUE_MIMETYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


@console.route("/plaques/<code>.<fmt>")
@login_required
def plaque_file(code, fmt):
    if fmt not in PLAQUE_MIMETYPES:
        abort(404)
    plaque = PlaqueCode.get_or_none(PlaqueCode.code == plaque_service.normalise(code))
    if plaque is None:
        abort(404)
    require_subject_access(plaque.subject_kind, plaque.subject_id)
    if plaque.status != "active":
        abort(410)
    from starqr.plaque import render_plaque
    content = plaque_service.plaque_content(plaque)
    dpi = 600 if request.args.get("dpi") == "600" else 300
    data = render_plaque(content, fmt, dpi=dpi)
    response = Response(data, mimetype=PLAQUE_MIMETYPES[fmt])
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="starqr-{plaque.code}.{fmt}"'
    response.headers["Cache-Control"] = "private, max-age=600"
    if fmt == "svg":
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response


@console.route("/branches/<int:branch_id>/plaques/sheet.pdf")
@login_required
def branch_sheet(branch_id):
    branch = require_branch_access(branch_id)
    from starqr.plaque import PAPERS, write_sheet
    contents = plaque_service.sheet_contents(branch)
    if not contents:
        flash(_("本支部还没有可打印的党员挂牌。"), "error")
        return redirect(url_for("console.branch_plaques", branch_id=branch.id))
    paper = request.args.get("paper", "A4")
    if paper not in PAPERS:
        paper = "A4" if "A4" in PAPERS else next(iter(PAPERS))
    buffer = io.BytesIO()
    write_sheet(contents, paper, buffer, title=branch.name_zh, workers=1)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/pdf", as_attachment=True,
                     download_name=f"starqr-badges-{branch.id}.pdf")


@console.route("/branches/<int:branch_id>/plaques/codes.<fmt>")
@login_required
def branch_codes(branch_id, fmt):
    branch = require_branch_access(branch_id)
    from starqr.plaque import EXPORT_FORMATS, export_codes
    if fmt not in EXPORT_FORMATS:
        abort(404)
    data = export_codes(list(plaque_service.export_rows(org=branch)), fmt)
    mimetype = "text/csv" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=f"starqr-codes-{branch.id}.{fmt}")
