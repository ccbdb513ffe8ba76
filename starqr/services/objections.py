"""Public objections (异议) during a rating's public notice (公示).

Anyone may object without logging in. The sender sees a reference number; the text and
the optional contact are for administrators only. The console resolves objections with
:func:`resolve`; a rejection's reason is shown on the public page.
"""

import datetime
import secrets

from starqr.errors import N_, Invalid
from starqr.db import database
from starqr.models import Objection, utcnow, subject_model
from starqr.services import period_rules, revision
from starqr.services.plaques import CODE_ALPHABET

TEXT_MAX = 500
CONTACT_MAX = 120
TEXT_MIN = 5
# A whole village often shares one carrier address, so limits count per plaque code (all
# senders together), not per address: a handful an hour, and a ceiling per notice period.
PER_CODE_PER_HOUR = 5
PER_CODE_PER_PERIOD = 30


class ObjectionError(Invalid):
    """Why an objection is refused, by code; the public page words it in the reader's language."""

    TEMPLATES = {
        "not_in_notice": N_("现在不在公示期，暂不受理异议。"),
        "too_short": N_("请写清楚异议内容（至少5个字）。"),
        "too_long": N_("异议内容请控制在500字以内。"),
        "contact_too_long": N_("联系方式太长。"),
        "too_many": N_("请稍后再提交"),
    }

    def __init__(self, code, retry_at=None):
        # code: "not_in_notice" | "too_short" | "too_long" | "contact_too_long" | "too_many"
        super().__init__(self.TEMPLATES[code], code=code, status=429 if code == "too_many" else None)
        self.retry_at = retry_at  # for "too_many": when the code takes objections again (naive UTC)


class ResolveError(Invalid, ValueError):  # ValueError: older callers
    """Closing an objection is refused (no reason for a rejection, already closed)."""

    code = "objection_invalid"


def notice_period():
    """The rating period currently under public notice, if any (the newest one)."""
    return period_rules.newest_period(("notice",))


def new_reference(today=None):
    today = today or datetime.date.today()
    return f"YY{today.year}" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def _subject_exists(plaque):
    model = subject_model(plaque.subject_kind)
    return model.select().where(model.id == plaque.subject_id).exists()


def create(plaque, text, contact=None, now=None):
    """Store an objection about PLAQUE's subject in the period under notice. Returns it."""
    text = (text or "").strip()
    contact = (contact or "").strip() or None
    if len(text) < TEXT_MIN:
        raise ObjectionError("too_short")
    if len(text) > TEXT_MAX:
        raise ObjectionError("too_long")
    if contact and len(contact) > CONTACT_MAX:
        raise ObjectionError("contact_too_long")
    period = notice_period()
    if period is None or plaque.status != "active" or not _subject_exists(plaque):
        raise ObjectionError("not_in_notice")
    now = now or utcnow()
    check_limit(plaque, period, now)
    for _ in range(5):
        reference = new_reference(now.date())
        if not Objection.select().where(Objection.reference == reference).exists():
            break
    with database.atomic():
        stored = Objection.create(
            reference=reference, plaque=plaque, period=period, text=text, contact=contact, created_at=now
        )
        revision.bump(plaque)  # the page counts open objections
    return stored


def check_limit(plaque, period, now=None):
    """Raise ObjectionError('too_many', retry_at) when PLAQUE's code has had its share.

    At most PER_CODE_PER_HOUR objections in any hour and PER_CODE_PER_PERIOD in one notice
    period, whoever sends them. retry_at is when the oldest objection of the hour ages out,
    or the end of the notice for the period ceiling.
    """
    now = now or utcnow()
    hour_ago = now - datetime.timedelta(hours=1)
    recent = list(
        Objection.select(Objection.created_at)
        .where(Objection.plaque == plaque, Objection.created_at > hour_ago)
        .order_by(Objection.created_at.desc())
        .limit(PER_CODE_PER_HOUR)
        .tuples()
    )
    in_period = (
        Objection.select().where(Objection.plaque == plaque, Objection.period == period).count()
        if period is not None
        else 0
    )
    if in_period >= PER_CODE_PER_PERIOD:
        raise ObjectionError("too_many", period.notice_ends_at)
    if len(recent) >= PER_CODE_PER_HOUR:
        oldest = recent[-1][0]
        raise ObjectionError("too_many", oldest + datetime.timedelta(hours=1))


def resolve(objection, accepted, reason, actor, now=None):
    """Close an objection: accepted (the console records the correction) or rejected with a reason.

    A rejection's reason is public, so a reason is required for it. Bumps the public
    revision so the profile shows the outcome at once.
    """
    reason = (reason or "").strip()
    if not accepted and not reason:
        raise ResolveError(N_("驳回异议需要填写理由(将在公开页面显示)"), code="reason_required")
    if objection.status != "open":
        raise ResolveError(N_("异议 %(reference)s 已处理"), code="objection_closed", reference=objection.reference)
    with database.atomic():
        objection.status = "accepted" if accepted else "rejected"
        objection.resolution = reason or None
        objection.resolved_by = actor
        objection.resolved_at = now or utcnow()
        objection.save()
        revision.bump(objection.plaque)
    return objection
