"""Plaque codes: issue, reissue and revoke. A code never changes otherwise."""
import secrets

from starqr.db import database
from starqr.models import MEMBER, ORGANISATION, Member, Organisation, PlaqueCode, PlaqueEvent, utcnow
from starqr.services import revision

# Upper case without look-alikes (no 0/O, 1/I/L), so the QR stays in alphanumeric mode
# and a villager can type the printed code.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31**10 ≈ 8e14: unguessable, not a sequence, not derived from names


class PlaqueError(Exception):
    pass


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code):
    return (code or "").strip().upper()


def public_url(base_url, code):
    """What every QR encodes: upper case, so the symbol uses alphanumeric mode."""
    return (base_url.rstrip("/") + "/Q/" + normalise(code)).upper()


def issue(subject_kind, subject_id, actor="system", reason=None):
    """Issue the first plaque for a subject (or return its active one)."""
    existing = active_code(subject_kind, subject_id)
    if existing:
        return existing
    with database.atomic():
        plaque = _create(subject_kind, subject_id, version=1, actor=actor)
        PlaqueEvent.create(plaque=plaque, action="issued", actor=actor, reason=reason)
    return plaque


def _create(subject_kind, subject_id, version, actor):
    if subject_kind not in (ORGANISATION, MEMBER):
        raise PlaqueError(f"unknown subject kind {subject_kind!r}")
    for _ in range(5):
        code = new_code()
        if not PlaqueCode.select().where(PlaqueCode.code == code).exists():
            return PlaqueCode.create(code=code, subject_kind=subject_kind, subject_id=subject_id,
                                     version=version, issued_by=actor)
    raise PlaqueError("could not draw an unused code")


def active_code(subject_kind, subject_id):
    return (PlaqueCode.select()
            .where(PlaqueCode.subject_kind == subject_kind, PlaqueCode.subject_id == subject_id,
                   PlaqueCode.status == "active")
            .first())


def reissue(code, actor, reason):
    """Lost, damaged or forged: a new active code; the old one answers 410 and points to it."""
    if not reason:
        raise PlaqueError("a reason is required to reissue a plaque")
    with database.atomic():
        old = PlaqueCode.get_or_none(PlaqueCode.code == normalise(code))
        if old is None:
            raise PlaqueError(f"no plaque with code {normalise(code)}")
        if old.status != "active":
            raise PlaqueError(f"plaque {old.code} is already revoked")
        new = _create(old.subject_kind, old.subject_id, version=old.version + 1, actor=actor)
        _revoke(old, actor, reason, replaced_by=new)
        PlaqueEvent.create(plaque=new, action="reissued", actor=actor, reason=reason)
        revision.bump()
    return new


def revoke(code, actor, reason):
    """Withdraw a plaque with no replacement (e.g. a vetoed member's badge)."""
    if not reason:
        raise PlaqueError("a reason is required to revoke a plaque")
    with database.atomic():
        plaque = PlaqueCode.get_or_none(PlaqueCode.code == normalise(code))
        if plaque is None:
            raise PlaqueError(f"no plaque with code {normalise(code)}")
        if plaque.status != "active":
            raise PlaqueError(f"plaque {plaque.code} is already revoked")
        _revoke(plaque, actor, reason, replaced_by=None)
        revision.bump()
    return plaque


def _revoke(plaque, actor, reason, replaced_by):
    plaque.status = "revoked"
    plaque.revoked_at = utcnow()
    plaque.revoked_by = actor
    plaque.revoke_reason = reason
    plaque.replaced_by = replaced_by
    plaque.save()
    PlaqueEvent.create(plaque=plaque, action="revoked", actor=actor, reason=reason)


def subject_of(plaque):
    """The organisation or member a plaque stands for."""
    model = Organisation if plaque.subject_kind == ORGANISATION else Member
    return model.get_by_id(plaque.subject_id)
