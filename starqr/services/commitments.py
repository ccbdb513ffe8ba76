"""Commitments (承诺践诺): made public, progress, outcome, and photo evidence (re-encoded, no metadata)."""

import datetime
import io
import os
import re
import secrets

from starqr import validation
from starqr.db import database
from starqr.errors import N_
from starqr.models import COMMITMENT_STATUSES, Commitment, get_subject, subject_kind, utcnow
from starqr.services import audit, revision
from starqr.services.member_rules import MemberError, COMMITMENT_FIELDS, clean_fields, refusing


def commitment_subject(commitment):
    return get_subject(commitment.subject_kind, commitment.subject_id)


@refusing
def add_commitment(actor, subject, fields):
    kind = subject_kind(subject)
    data = clean_fields(fields, COMMITMENT_FIELDS)
    if not data.get("text"):
        raise MemberError(N_("请填写承诺内容。"))
    data["year"] = int(data.get("year") or datetime.date.today().year)
    with database.atomic():
        commitment = Commitment.create(subject_kind=kind, subject_id=subject.id, **data)
        audit.record(actor, "commitment.add", commitment, None, audit.snapshot(commitment))
        revision.bump((commitment.subject_kind, commitment.subject_id))
    return commitment


@refusing
def edit_commitment(actor, commitment, fields):
    data = clean_fields(fields, COMMITMENT_FIELDS)
    if "text" in data and not data["text"]:
        raise MemberError(N_("请填写承诺内容。"))
    return _save(actor, commitment, "commitment.edit", data)


@refusing
def add_progress(actor, commitment, date, text):
    text = validation.public_text(text, "text", validation.N_("进展情况"), max_length=1000)
    if not text:
        raise MemberError(N_("请填写进展情况。"))
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


@refusing
def set_outcome(actor, commitment, status, evaluation=None, reason_not_kept=None, reason_public=False):
    """Record how a commitment ended. The reason it was not kept goes public only when
    REASON_PUBLIC says the secretary checked it names no illness or family matter."""
    if status not in COMMITMENT_STATUSES:
        raise MemberError(N_("践诺状态不正确。"))
    reason_not_kept = (
        validation.public_text(reason_not_kept, "reason_not_kept", validation.N_("未践诺原因"), max_length=1000) or None
    )
    evaluation = validation.public_text(evaluation, "evaluation", validation.N_("评价"), max_length=1000) or None
    if status == "not_done" and not reason_not_kept:
        raise MemberError(N_("未践诺时须填写原因，该原因会在扫码页公开。"))
    reason_not_kept = reason_not_kept if status == "not_done" else None
    changes = {
        "status": status,
        "evaluation": (evaluation or "").strip() or None,
        "reason_not_kept": reason_not_kept,
        "reason_public": bool(reason_public and reason_not_kept),
    }
    return _save(actor, commitment, "commitment.outcome", changes)


def _save(actor, commitment, action, changes):
    """Set CHANGES (field -> value) on COMMITMENT, save it, audit what changed as ACTION and
    mark its page for rebuilding."""
    fields = tuple(changes) or COMMITMENT_FIELDS  # (no fields at all would snapshot every column)
    with database.atomic():
        before = audit.snapshot(commitment, fields)
        for name, value in changes.items():
            setattr(commitment, name, value)
        commitment.updated_at = utcnow()
        commitment.save()
        audit.record(actor, action, commitment, *audit.changes(before, audit.snapshot(commitment, fields)))
        revision.bump((commitment.subject_kind, commitment.subject_id))
    return commitment


# ---------------------------------------------------------------- evidence photos

MAX_EVIDENCE_BYTES = 8 * 1024 * 1024
MAX_EVIDENCE_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_EVIDENCE_SIDE = 2048  # stored copies are scaled down to this
EVIDENCE_FORMATS = {"JPEG", "PNG", "WEBP"}
EVIDENCE_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


def evidence_folder(upload_folder):
    return os.path.join(upload_folder, "evidence")


def reencode_photo(data):
    """Check an uploaded image and return a fresh JPEG with no metadata (EXIF, GPS, ICC, XMP).

    Only the pixels survive: decoding and re-encoding drops anything hidden in the file,
    and the orientation tag is applied first so the photo stays upright.
    """
    # Pillow loads only when a photo is uploaded (a heavy import)
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_EVIDENCE_BYTES:
        raise MemberError(N_("图片不能超过8MB。"))
    if not data:
        raise MemberError(N_("没有收到图片。"))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in EVIDENCE_FORMATS:
                raise MemberError(N_("只能上传JPEG、PNG或WebP图片。"))
            width, height = probe.size
            if width * height > MAX_EVIDENCE_PIXELS:
                raise MemberError(N_("图片像素过大。"))
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
        raise MemberError(N_("文件不是有效的图片。"))


@refusing
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
    entry = {
        "kind": "photo",
        "value": name,
        "caption": caption or None,
        "added_at": utcnow().isoformat(timespec="seconds"),
    }
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
