"""Commitments (承诺践诺) of members and branches: progress, evidence photos, outcome."""

import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from starqr.models import MEMBER
from starqr.services import access, commitments
from starqr.services import member_rules
from starqr.services.consoles import secretary_pages
from starqr.views.console import console
from starqr.views.console.auth import (
    WRITERS,
    can_manage,
    login_required,
    require_branch_access,
    require_member_access,
    require_subject_access,
    roles_required,
    subject_branch,
)
from starqr.views.console.forms import (
    CommitmentForm,
    EvidenceForm,
    OutcomeForm,
    ProgressForm,
)
from starqr.views.console.helpers import actor, button, edit_page, flash_form_errors

# Evidence photos of public commitments, served outside the console.
public_evidence = Blueprint("evidence", __name__)


def subject_url(subject):
    if access.subject_kind(subject) == MEMBER:
        return url_for("console.member", member_id=subject.id)
    return url_for("console.branch", branch_id=subject.id)


def _commitment_url(commitment):
    return url_for("console.commitment", commitment_id=commitment.id)


def _progress_missing(form):
    flash(_("请填写日期和进展情况。"), "error")


def _photo_refused(form):
    flash_form_errors(form, with_labels=False)


def _fields(form):
    return {f.name: f.data for f in form if f.name in member_rules.COMMITMENT_FIELDS}


def subject_pages(path, member_endpoint, branch_endpoint):
    """Serve VIEW(subject) for writers at /members/<id>/PATH and /branches/<id>/PATH (the two
    endpoints), the member or branch looked up in the user's scope for writing."""

    def decorator(view):
        @roles_required(*WRITERS)
        def for_member(member_id):
            return view(require_member_access(member_id, write=True))

        @roles_required(*WRITERS)
        def for_branch(branch_id):
            return view(require_branch_access(branch_id, write=True))

        methods = ["GET", "POST"]
        console.add_url_rule(f"/members/<int:member_id>/{path}", member_endpoint, for_member, methods=methods)
        console.add_url_rule(f"/branches/<int:branch_id>/{path}", branch_endpoint, for_branch, methods=methods)
        return view

    return decorator


@subject_pages("commitments/new", "add_member_commitment", "add_branch_commitment")
def _new_commitment(subject):
    form = CommitmentForm()
    if request.method == "GET":
        form.year.data = datetime.date.today().year

    def save():
        return commitments.add_commitment(actor(), subject, _fields(form))

    title = _("添加承诺：%(name)s", name=subject.name_zh)
    return edit_page(form, save, _("承诺已添加，将在扫码页公开。"), _commitment_url, title, subject_url(subject))


def _commitment(commitment_id, write=False):
    commitment = secretary_pages.commitment(commitment_id) or abort(404)
    subject = require_subject_access(commitment.subject_kind, commitment.subject_id, write=write)
    return commitment, subject


@console.route("/commitments/<int:commitment_id>")
@login_required
def commitment(commitment_id):
    commitment, subject = _commitment(commitment_id)
    progress = ProgressForm(formdata=None, date=datetime.date.today())
    return render_template(
        "console/secretary/commitment.html",
        commitment=commitment,
        subject=subject,
        subject_url=subject_url(subject),
        writable=can_manage(subject_branch(subject)),
        progress_form=progress,
        evidence_form=EvidenceForm(formdata=None),
        outcome_form=OutcomeForm(formdata=None, obj=commitment),
    )


@console.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit_commitment(commitment_id):
    commitment, _subject = _commitment(commitment_id, write=True)
    form = CommitmentForm(obj=commitment)

    def save():
        return commitments.edit_commitment(actor(), commitment, _fields(form))

    back = _commitment_url(commitment)
    return edit_page(form, save, _("已保存。"), back, _("编辑承诺"), back)


def _writable_commitment(commitment_id):
    return _commitment(commitment_id, write=True)[0]


@console.route("/commitments/<int:commitment_id>/progress", methods=["POST"])
@roles_required(*WRITERS)
@button(_writable_commitment, ProgressForm, _l("进展已记录。"), _commitment_url, invalid=_progress_missing)
def commitment_progress(commitment, form):
    return commitments.add_progress(actor(), commitment, form.date.data, form.text.data)


@console.route("/commitments/<int:commitment_id>/evidence", methods=["POST"])
@roles_required(*WRITERS)
@button(
    _writable_commitment,
    EvidenceForm,
    _l("佐证照片已上传（已去除拍摄位置等隐藏信息）。"),
    _commitment_url,
    invalid=_photo_refused,
)
def commitment_evidence(commitment, form):
    data = form.photo.data.read(commitments.MAX_EVIDENCE_BYTES + 1)
    folder = current_app.config["UPLOAD_FOLDER"]
    return commitments.add_evidence_photo(actor(), commitment, data, folder, caption=form.caption.data)


@console.route("/commitments/<int:commitment_id>/outcome", methods=["POST"])
@roles_required(*WRITERS)
@button(_writable_commitment, OutcomeForm, _l("践诺结果已保存。"), _commitment_url)
def commitment_outcome(commitment, form):
    reasons = form.reason_not_kept.data, form.reason_public.data
    return commitments.set_outcome(actor(), commitment, form.status.data, form.evaluation.data, *reasons)


def send_evidence(path):
    with open(path, "rb") as handle:  # small re-encoded JPEGs: read whole, nothing left open
        response = Response(handle.read(), mimetype="image/jpeg")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@console.route("/commitments/<int:commitment_id>/evidence/<name>")
@login_required
def evidence_photo(commitment_id, name):
    commitment, _subject = _commitment(commitment_id)
    path = commitments.evidence_path(commitment, name, current_app.config["UPLOAD_FOLDER"])
    if path is None:
        abort(404)
    return send_evidence(path)


@public_evidence.route("/evidence/<int:commitment_id>/<name>")
def public_photo(commitment_id, name):
    """A photo attached to a public commitment; anything else is a 404."""
    commitment = secretary_pages.commitment(commitment_id)
    if commitment is None or not commitments.is_public_commitment(commitment):
        abort(404)
    path = commitments.evidence_path(commitment, name, current_app.config["UPLOAD_FOLDER"])
    if path is None:
        abort(404)
    response = send_evidence(path)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
