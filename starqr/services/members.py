"""Use cases for a branch's members, posts, commitments, evidence and points events.

Called by the console views and the API. Every function takes the acting user first,
runs in one transaction, writes an audit entry with the values before and after, and
bumps the public revision when what a scan page shows has changed. Nothing is deleted:
a member leaves the roll (retire) or moves (transfer); a ledger entry is reversed by a
linked correction.
"""
import datetime
import functools
import io
import os
import re
import secrets
from decimal import Decimal

from starqr import ledger, validation
from starqr.errors import Invalid
from starqr.db import database
from starqr.models import (COMMITMENT_STATUSES, MEMBER, ORGANISATION, Commitment, LedgerEntry, Member,
                           MemberPrivate, Organisation, Post, RatingPeriod, utcnow, get_subject, subject_model)
from starqr.services import audit, plaques, revision, rubrics


class MemberError(Invalid):
    """A request the rules refuse; the message is Chinese, fit to show to the user."""


MEMBER_FIELDS = ("name_zh", "name_mn", "gender", "ethnicity", "category", "status", "occupation", "joined_on",
                 "full_member_on", "party_post", "honours", "volunteer_service", "volunteer_hours", "exempt")
PRIVATE_FIELDS = ("id_number", "phone", "home_address", "birth_date")
BRANCH_FIELDS = ("secretary_name", "venue_area_m2", "venue_address", "office_phone", "feature_projects")
POST_FIELDS = ("title", "duties", "since", "active")
COMMITMENT_FIELDS = ("year", "text", "deadline")

# Private values are logged as changed or not, never by value: the audit log is read widely.
_PRIVATE_MARK = "(已修改)"


# Free text shown on the scan page: refused when it holds an identity number, a mobile or an address.
PUBLIC_TEXT_FIELDS = {"honours", "volunteer_service", "party_post", "title", "duties", "text", "feature_projects"}
FIELD_LABELS = {
    "name_zh": validation.N_("姓名"), "name_mn": validation.N_("蒙古文姓名"), "party_post": validation.N_("党内职务"),
    "honours": validation.N_("荣誉"), "volunteer_service": validation.N_("志愿服务"),
    "secretary_name": validation.N_("书记姓名"), "venue_address": validation.N_("活动场所地址"),
    "office_phone": validation.N_("办公电话"), "feature_projects": validation.N_("特色项目"),
    "title": validation.N_("岗位名称"), "duties": validation.N_("岗位职责"), "text": validation.N_("承诺内容"),
    "id_number": validation.N_("身份证号"), "phone": validation.N_("电话"), "home_address": validation.N_("家庭住址"),
    "gender": validation.N_("性别"), "ethnicity": validation.N_("民族"),
}


def _models_of():
    return {MEMBER_FIELDS: Member, PRIVATE_FIELDS: MemberPrivate, BRANCH_FIELDS: Organisation,
            POST_FIELDS: Post, COMMITMENT_FIELDS: Commitment}


def _clean(fields, allowed):
    """The ALLOWED fields of FIELDS, texts checked (control characters, the column's length,
    private data in public ones): ValidationError names the field."""
    model = _models_of().get(allowed)
    data = {}
    for name in allowed:
        if name in fields:
            value = fields[name]
            if isinstance(value, str):
                column = model._meta.fields.get(name) if model else None
                limit = getattr(column, "max_length", None) or 5000
                label = FIELD_LABELS.get(name, name)
                check = validation.public_text if name in PUBLIC_TEXT_FIELDS else validation.text
                value = check(value, name, label, max_length=limit) or None
            data[name] = value
    return data


def _refusing(function):
    """Service functions answer MemberError for a refused value too (the message names the field)."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except validation.ValidationError as error:
            refused = MemberError(error.message(True))  # in the user's language where there is one
            refused.field, refused.validation = error.field, error
            raise refused from error
    return wrapper


def _private_audit(before, after):
    return {k: _PRIVATE_MARK for k in PRIVATE_FIELDS if (before or {}).get(k) != (after or {}).get(k)}


# ---------------------------------------------------------------- branch

@_refusing
def edit_branch(actor, branch, fields):
    data = _clean(fields, BRANCH_FIELDS)
    with database.atomic():
        before = audit.snapshot(branch, BRANCH_FIELDS)
        for name, value in data.items():
            setattr(branch, name, value)
        branch.save()
        after = audit.snapshot(branch, BRANCH_FIELDS)
        audit.record(actor, "branch.edit", branch, *audit.changes(before, after))
        revision.bump(branch)
    return branch


# ---------------------------------------------------------------- members

def _save_private(member, private):
    row = MemberPrivate.get_or_none(MemberPrivate.member == member)
    before = audit.snapshot(row, PRIVATE_FIELDS) if row else {k: None for k in PRIVATE_FIELDS}
    data = _clean(private or {}, PRIVATE_FIELDS)
    if row is None:
        if not any(data.values()):
            return before, before
        row = MemberPrivate(member=member)
        for name, value in data.items():
            setattr(row, name, value)
        row.save(force_insert=True)
    else:
        for name, value in data.items():
            setattr(row, name, value)
        row.save()
    return before, audit.snapshot(row, PRIVATE_FIELDS)


@_refusing
def add_member(actor, branch, fields, private=None, issue_badge=True):
    """A new member on BRANCH's roll, with a badge code issued at once."""
    if branch.level != "branch":
        raise MemberError("党员只能加入党支部。")
    data = _clean(fields, MEMBER_FIELDS)
    if not data.get("name_zh"):
        raise MemberError("请填写姓名。")
    data.setdefault("category", "ordinary")
    data.setdefault("status", "full")
    data["volunteer_hours"] = data.get("volunteer_hours") or 0
    data["exempt"] = bool(data.get("exempt"))
    with database.atomic():
        member = Member.create(branch=branch, **data)
        _before_private, after_private = _save_private(member, private)
        plaque = plaques.issue(MEMBER, member.id, actor=audit._actor_name(actor)) if issue_badge else None
        after = audit.snapshot(member, ("branch",) + MEMBER_FIELDS)
        after["private"] = _private_audit({}, after_private)
        if plaque:
            after["badge"] = plaque.code
        audit.record(actor, "member.add", member, None, after)
        revision.bump(member)
    return member


@_refusing
def edit_member(actor, member, fields, private=None):
    data = _clean(fields, MEMBER_FIELDS)
    if "name_zh" in data and not data["name_zh"]:
        raise MemberError("请填写姓名。")
    if "volunteer_hours" in data:
        data["volunteer_hours"] = data["volunteer_hours"] or 0
    if "exempt" in data:
        data["exempt"] = bool(data["exempt"])
    with database.atomic():
        before = audit.snapshot(member, MEMBER_FIELDS)
        for name, value in data.items():
            setattr(member, name, value)
        member.save()
        private_before, private_after = _save_private(member, private) if private is not None else ({}, {})
        before, after = audit.changes(before, audit.snapshot(member, MEMBER_FIELDS))
        changed_private = _private_audit(private_before, private_after)
        if changed_private:
            after["private"] = changed_private
        audit.record(actor, "member.edit", member, before, after)
        revision.bump(member)
    return member


@_refusing
def transfer_member(actor, member, new_branch, reason):
    """Move a member to another branch; their badge code stays valid and follows them."""
    if not member.active:
        raise MemberError("该党员已移出名册，不能转接。")
    if new_branch.level != "branch":
        raise MemberError("只能转入党支部。")
    if new_branch.id == member.branch_id:
        raise MemberError("转入支部与当前支部相同。")
    reason = validation.text(reason, "reason", validation.N_("转接原因"), max_length=500)
    if not (reason or "").strip():
        raise MemberError("请填写转接原因。")
    with database.atomic():
        old_branch_id = member.branch_id
        member.branch = new_branch
        member.save()
        audit.record(actor, "member.transfer", member, {"branch": old_branch_id},
                     {"branch": new_branch.id, "reason": reason.strip()})
        revision.bump(member, (ORGANISATION, old_branch_id))
    return member


@_refusing
def retire_member(actor, member, left_on, reason):
    """Take a member off the active roll. The record, ledger and ratings stay."""
    if not member.active:
        raise MemberError("该党员已移出名册。")
    reason = validation.text(reason, "reason", validation.N_("移出原因"), max_length=120)
    if not (reason or "").strip():
        raise MemberError("请填写原因。")
    with database.atomic():
        before = audit.snapshot(member, ("active", "left_on", "left_reason"))
        member.active = False
        member.left_on = left_on or datetime.date.today()
        member.left_reason = reason
        member.save()
        Post.update(active=False).where(Post.member == member, Post.active == True).execute()  # noqa: E712
        audit.record(actor, "member.retire", member, before,
                     audit.snapshot(member, ("active", "left_on", "left_reason")))
        revision.bump(member)
    return member


# ---------------------------------------------------------------- posts

@_refusing
def add_post(actor, member, fields):
    data = _clean(fields, POST_FIELDS)
    if not data.get("title") or not data.get("duties"):
        raise MemberError("请填写岗位名称和职责。")
    data["active"] = data.get("active", True) is not False
    with database.atomic():
        post = Post.create(member=member, **data)
        audit.record(actor, "post.add", post, None, audit.snapshot(post))
        revision.bump(member)
    return post


@_refusing
def edit_post(actor, post, fields):
    data = _clean(fields, POST_FIELDS)
    if "active" in data:
        data["active"] = bool(data["active"])
    with database.atomic():
        before = audit.snapshot(post, POST_FIELDS)
        for name, value in data.items():
            if name in ("title", "duties") and not value:
                raise MemberError("请填写岗位名称和职责。")
            setattr(post, name, value)
        post.save()
        audit.record(actor, "post.edit", post, *audit.changes(before, audit.snapshot(post, POST_FIELDS)))
        revision.bump((MEMBER, post.member_id))
    return post


# ---------------------------------------------------------------- commitments

def commitment_subject(commitment):
    return get_subject(commitment.subject_kind, commitment.subject_id)


@_refusing
def add_commitment(actor, subject, fields):
    kind = MEMBER if isinstance(subject, Member) else ORGANISATION
    data = _clean(fields, COMMITMENT_FIELDS)
    if not data.get("text"):
        raise MemberError("请填写承诺内容。")
    data["year"] = int(data.get("year") or datetime.date.today().year)
    with database.atomic():
        commitment = Commitment.create(subject_kind=kind, subject_id=subject.id, **data)
        audit.record(actor, "commitment.add", commitment, None, audit.snapshot(commitment))
        revision.bump((commitment.subject_kind, commitment.subject_id))
    return commitment


@_refusing
def edit_commitment(actor, commitment, fields):
    data = _clean(fields, COMMITMENT_FIELDS)
    if "text" in data and not data["text"]:
        raise MemberError("请填写承诺内容。")
    with database.atomic():
        before = audit.snapshot(commitment, COMMITMENT_FIELDS)
        for name, value in data.items():
            setattr(commitment, name, value)
        commitment.updated_at = utcnow()
        commitment.save()
        audit.record(actor, "commitment.edit", commitment,
                     *audit.changes(before, audit.snapshot(commitment, COMMITMENT_FIELDS)))
        revision.bump((commitment.subject_kind, commitment.subject_id))
    return commitment


@_refusing
def add_progress(actor, commitment, date, text):
    text = validation.public_text(text, "text", validation.N_("进展情况"), max_length=1000)
    if not text:
        raise MemberError("请填写进展情况。")
    note = {"date": (date or datetime.date.today()).isoformat(), "text": text}
    with database.atomic():
        commitment.progress_notes = list(commitment.progress_notes or []) + [note]
        if commitment.status == "not_started":
            commitment.status = "in_progress"
        commitment.updated_at = utcnow()
        commitment.save()
        audit.record(actor, "commitment.progress", commitment, None, note)
        revision.bump((commitment.subject_kind, commitment.subject_id))
    return commitment


@_refusing
def set_outcome(actor, commitment, status, evaluation=None, reason_not_kept=None, reason_public=False):
    """Record how a commitment ended. The reason it was not kept goes public only when
    REASON_PUBLIC says the secretary checked it names no illness or family matter."""
    if status not in COMMITMENT_STATUSES:
        raise MemberError("践诺状态不正确。")
    reason_not_kept = validation.public_text(reason_not_kept, "reason_not_kept", validation.N_("未践诺原因"),
                                             max_length=1000) or None
    evaluation = validation.public_text(evaluation, "evaluation", validation.N_("评价"), max_length=1000) or None
    if status == "not_done" and not reason_not_kept:
        raise MemberError("未践诺时须填写原因，该原因会在扫码页公开。")
    fields = ("status", "evaluation", "reason_not_kept", "reason_public")
    with database.atomic():
        before = audit.snapshot(commitment, fields)
        commitment.status = status
        commitment.evaluation = (evaluation or "").strip() or None
        commitment.reason_not_kept = reason_not_kept if status == "not_done" else None
        commitment.reason_public = bool(reason_public and commitment.reason_not_kept)
        commitment.updated_at = utcnow()
        commitment.save()
        audit.record(actor, "commitment.outcome", commitment,
                     *audit.changes(before, audit.snapshot(commitment, fields)))
        revision.bump((commitment.subject_kind, commitment.subject_id))
    return commitment


# ---------------------------------------------------------------- evidence photos

MAX_EVIDENCE_BYTES = 8 * 1024 * 1024
MAX_EVIDENCE_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_EVIDENCE_SIDE = 2048          # stored copies are scaled down to this
EVIDENCE_FORMATS = {"JPEG", "PNG", "WEBP"}
EVIDENCE_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


def evidence_folder(upload_folder):
    return os.path.join(upload_folder, "evidence")


def reencode_photo(data):
    """Check an uploaded image and return a fresh JPEG with no metadata (EXIF, GPS, ICC, XMP).

    Only the pixels survive: decoding and re-encoding drops anything hidden in the file,
    and the orientation tag is applied first so the photo stays upright.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError
    if len(data) > MAX_EVIDENCE_BYTES:
        raise MemberError("图片不能超过8MB。")
    if not data:
        raise MemberError("没有收到图片。")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in EVIDENCE_FORMATS:
                raise MemberError("只能上传JPEG、PNG或WebP图片。")
            width, height = probe.size
            if width * height > MAX_EVIDENCE_PIXELS:
                raise MemberError("图片像素过大。")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, (255, 255, 255))
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.split()[-1])
                image = background
            image = image.convert("RGB")
            image.thumbnail((MAX_EVIDENCE_SIDE, MAX_EVIDENCE_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)  # no exif=, no icc_profile=
            return out.getvalue()
    except MemberError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise MemberError("文件不是有效的图片。")


@_refusing
def add_evidence_photo(actor, commitment, data, upload_folder, caption=None):
    """Store a re-encoded photo under a random name and attach it to the commitment."""
    caption = validation.public_text(caption, "caption", validation.N_("图片说明"), max_length=200)
    clean = reencode_photo(data)
    folder = evidence_folder(upload_folder)
    os.makedirs(folder, exist_ok=True)
    name = secrets.token_hex(16) + ".jpg"
    path = os.path.join(folder, name)
    with open(path, "xb") as handle:
        handle.write(clean)
    entry = {"kind": "photo", "value": name, "caption": caption or None,
             "added_at": utcnow().isoformat(timespec="seconds")}
    try:
        with database.atomic():
            commitment.evidence = list(commitment.evidence or []) + [entry]
            commitment.updated_at = utcnow()
            commitment.save()
            audit.record(actor, "commitment.evidence", commitment, None, entry)
            revision.bump((commitment.subject_kind, commitment.subject_id))
    except Exception:
        os.remove(path)
        raise
    return name


def evidence_path(commitment, name, upload_folder):
    """The file of a photo attached to COMMITMENT, or None (never any other file)."""
    if not EVIDENCE_NAME.match(name or ""):
        return None
    if not any(e.get("kind") == "photo" and e.get("value") == name for e in (commitment.evidence or [])):
        return None
    path = os.path.join(evidence_folder(upload_folder), name)
    return path if os.path.isfile(path) else None


def is_public_commitment(commitment):
    """Commitments are public (承诺公开) while their subject is on the active roll."""
    subject = commitment_subject(commitment)
    if subject is None:
        return False
    return bool(getattr(subject, "active", True))


# ---------------------------------------------------------------- points events

def subject_rubric(subject):
    """(RubricVersion, Rubric) that rates SUBJECT (a member or an organisation)."""
    if isinstance(subject, Member):
        return rubrics.current_rubric(rubrics.member_rubric_key(subject.branch))
    return rubrics.current_rubric(rubrics.organisation_rubric_key(subject))


def recordable_items(rubric):
    """Items a secretary may record: every item of the rubric, in file order."""
    return list(rubric.items)


def open_periods():
    """Periods still taking points events (not yet published), newest first."""
    return list(RatingPeriod.select().where(RatingPeriod.state.in_(("draft", "scheduled")))
                .order_by(RatingPeriod.year.desc(), RatingPeriod.id.desc()))


def _decimal(value, field="value", label=validation.N_("分值")):
    """A ledger value by the one rule of every door (finite, ≤ two decimals, no -0); ValidationError."""
    return validation.ledger_value(value, field, label)


def _within(item, points):
    low, high = Decimal(str(item.min)), Decimal(str(item.max))
    if not (low <= points <= high):
        raise MemberError(f"“{item.name}”每条记录的分值须在 {low.normalize():f} 到 {high.normalize():f} 之间。")


@_refusing
def record_points(actor, subject, period, item_id, reason, count=1, value=None, occurred_on=None,
                  evidence=None, public_reason=True):
    """Record points events for SUBJECT from its rubric's items. Returns the new entries.

    Event and bonus items carry the item's own points, one ledger entry per event (COUNT
    of them); value, veto and gate items carry VALUE, checked against the item's bounds.
    """
    if period.state not in ("draft", "scheduled"):
        raise MemberError("该评星周期已公布，不能再记录积分；如需更正请走异议或更正流程。")
    _version, rubric = subject_rubric(subject)
    try:
        item = rubric.item(item_id)
    except KeyError:
        raise MemberError("积分项目不属于该对象的评星标准。")
    # The reason is shown on the scan page unless marked private; the evidence text is shown with it.
    check = validation.public_text if public_reason else validation.text
    reason = check(reason, "reason", validation.N_("事由"), max_length=500)
    if not reason:
        raise MemberError("请填写事由。")
    evidence = check(evidence, "evidence", validation.N_("佐证"), max_length=500)
    kind = MEMBER if isinstance(subject, Member) else ORGANISATION
    if isinstance(subject, Member) and not subject.active:
        raise MemberError("该党员已移出名册。")
    name = audit._actor_name(actor)
    common = dict(subject_kind=kind, subject_id=subject.id, period_id=period.id, item=item.id, reason=reason,
                  recorded_by=name, public_reason=bool(public_reason), evidence=(evidence or "").strip() or None,
                  occurred_on=occurred_on.isoformat() if occurred_on else None)
    if item.kind in ("event", "bonus") and item.points is not None:
        count = validation.count(count)
        points = _decimal(item.points)
        _within(item, points)
        new = [ledger.NewEntry(points=points, **common) for _ in range(count)]
    else:
        if value is None or value == "":
            raise MemberError("请填写分值。")
        points = _decimal(value)
        _within(item, points)
        new = [ledger.NewEntry(points=points, **common)]
    with database.atomic():
        ledger.append(new)
        entries = list(LedgerEntry.select()
                       .where(LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject.id)
                       .order_by(LedgerEntry.id.desc()).limit(len(new)))[::-1]
        audit.record(actor, "ledger.record", f"{kind}:{subject.id}", None,
                     {"entries": [e.id for e in entries], "item": item.id, "points": str(points),
                      "count": len(new), "period": period.id, "reason": reason})
    return entries


@_refusing
def correct_entry(actor, entry, reason, new_points=None):
    """Reverse ENTRY with a linked entry (and record the right value if given)."""
    if entry.corrects_id is not None:
        raise MemberError("这是一条更正记录；请更正原始记录。")
    if LedgerEntry.select().where(LedgerEntry.corrects == entry.id).exists():
        raise MemberError("这条记录已经更正过。")
    if entry.period.state not in ("draft", "scheduled"):
        raise MemberError("该评星周期已公布，更正须由管理员通过异议处理。")
    reason = validation.public_text(reason, "reason", validation.N_("更正原因"), max_length=500)
    if not reason:
        raise MemberError("请填写更正原因。")
    if new_points is not None and new_points != "":
        new_points = _decimal(new_points, "new_points")
        subject = subject_model(entry.subject_kind).get_by_id(entry.subject_id)
        _version, rubric = subject_rubric(subject)
        try:
            _within(rubric.item(entry.item), new_points)
        except KeyError:
            raise MemberError("原记录的积分项目已不在现行评星标准中。")
    else:
        new_points = None
    with database.atomic():
        try:
            ledger.correct(entry, reason, audit._actor_name(actor), new_points=new_points)
        except ledger.LedgerError as error:
            raise MemberError(str(error))
        audit.record(actor, "ledger.correct", entry, {"points": str(entry.points)},
                     {"points": str(new_points) if new_points is not None else "0", "reason": reason})
    return entry


def entries_for(subject, limit=200):
    kind = MEMBER if isinstance(subject, Member) else ORGANISATION
    return list(LedgerEntry.select(LedgerEntry, RatingPeriod).join(RatingPeriod)
                .where(LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject.id)
                .order_by(LedgerEntry.id.desc()).limit(limit))
