"""Plaque codes: issue, reissue and revoke. A code never changes otherwise."""

import secrets

from starqr import phrases
from starqr.db import database
from starqr.errors import N_, Invalid
from starqr.models import MEMBER, ORGANISATION, Member, Organisation, PlaqueCode, PlaqueEvent, subject_model, utcnow
from starqr.plaque import PlaqueContent
from starqr.services import audit, page_export, revision

# Upper case without look-alikes (no 0/O, 1/I/L), so the QR stays in alphanumeric mode
# and a villager can type the printed code.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31**10 ≈ 8e14: unguessable, not a sequence, not derived from names


class PlaqueError(Invalid):
    """Refused by the rules (code "invalid", HTTP 422)."""


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
        raise PlaqueError(N_("未知的对象类型 %(kind)s"), code="unknown_subject_kind", kind=subject_kind)
    for _ in range(5):
        code = new_code()
        if not PlaqueCode.select().where(PlaqueCode.code == code).exists():
            return PlaqueCode.create(
                code=code, subject_kind=subject_kind, subject_id=subject_id, version=version, issued_by=actor
            )
    raise PlaqueError(N_("未能生成未使用的牌匾编码,请重试"), code="code_exhausted")


def active_code(subject_kind, subject_id):
    return (
        PlaqueCode.select()
        .where(
            PlaqueCode.subject_kind == subject_kind, PlaqueCode.subject_id == subject_id, PlaqueCode.status == "active"
        )
        .first()
    )


def reissue(code, actor, reason):
    """Lost, damaged or forged: a new active code; the old one answers 410 and points to it.

    ACTOR (a User, an access.Actor or a name) is recorded on the events and in the audit log,
    whichever door asks (console, API, CLI).
    """
    actor_row, actor = actor, audit.actor_name(actor)
    with database.atomic():
        old = _active_plaque(code, reason, N_("补发牌匾须填写原因"))
        new = _create(old.subject_kind, old.subject_id, version=old.version + 1, actor=actor)
        mark_revoked(old, actor, reason, replaced_by=new)
        PlaqueEvent.create(plaque=new, action="reissued", actor=actor, reason=reason)
        audit.record(
            actor_row,
            "plaque.reissued",
            f"plaque_code:{old.code}",
            before={"code": old.code, "status": "active"},
            after={"status": "revoked", "replaced_by": new.code, "reason": reason},
        )
        revision.bump(old, new)
    page_export.forget_local(old.code)  # committed: 410 at once on this host (others: next export tick)
    return new


def revoke(code, actor, reason):
    """Withdraw a plaque with no replacement (e.g. a vetoed member's badge); audited here."""
    actor_row, actor = actor, audit.actor_name(actor)
    with database.atomic():
        plaque = _active_plaque(code, reason, N_("作废牌匾须填写原因"))
        mark_revoked(plaque, actor, reason, replaced_by=None)
        audit.record(
            actor_row,
            "plaque.revoked",
            plaque,
            before={"status": "active"},
            after={"status": "revoked", "reason": reason},
        )
        revision.bump(plaque)
    page_export.forget_local(plaque.code)  # committed: 410 at once on this host (others: next export tick)
    return plaque


def _active_plaque(code, reason, reason_missing):
    """The active plaque with CODE, for a change that needs a REASON (REASON_MISSING: the
    whole sentence that says so, one per change); PlaqueError otherwise."""
    if not reason:
        raise PlaqueError(reason_missing, code="reason_required")
    plaque = get_plaque(code)
    if plaque.status != "active":
        raise PlaqueError(N_("牌匾 %(plaque)s 已作废"), code="plaque_revoked", plaque=plaque.code)
    return plaque


def mark_revoked(plaque, actor, reason, replaced_by):
    """Revoke PLAQUE and log it under ACTOR (a name); the caller has checked who may and bumps the revision."""
    plaque.status = "revoked"
    plaque.revoked_at = utcnow()
    plaque.revoked_by = actor
    plaque.revoke_reason = reason
    plaque.replaced_by = replaced_by
    plaque.save()
    PlaqueEvent.create(plaque=plaque, action="revoked", actor=actor, reason=reason)


def subject_of(plaque):
    """The organisation or member a plaque stands for."""
    return subject_model(plaque.subject_kind).get_by_id(plaque.subject_id)


# ---------------------------------------------------------------- printing


def get_plaque(code):
    """The plaque with this code (any case), or PlaqueError."""
    plaque = PlaqueCode.get_or_none(PlaqueCode.code == normalise(code))
    if plaque is None:
        raise PlaqueError(N_("没有编码为 %(plaque)s 的牌匾"), code="plaque_not_found", plaque=normalise(code))
    return plaque


def _content(plaque, subject, parent, base_url):
    return PlaqueContent(
        code=plaque.code,
        url=public_url(base_url, plaque.code),
        kind=plaque.subject_kind,
        name_zh=subject.name_zh,
        name_mn=subject.name_mn or "",
        parent_zh=parent.name_zh if parent else "",
        parent_mn=(parent.name_mn or "") if parent else "",
    )


def plaque_content(plaque, base_url):
    """What the plaque for this PlaqueCode row shows (a starqr.plaque.PlaqueContent).

    BASE_URL: the site's public address (the app's PUBLIC_BASE_URL), which every QR encodes.
    """
    if plaque.status != "active":
        raise PlaqueError(N_("牌匾 %(plaque)s 已作废,请打印替换它的新牌匾"), code="plaque_revoked", plaque=plaque.code)
    subject = subject_of(plaque)
    parent = subject.branch if plaque.subject_kind == MEMBER else subject.parent
    return _content(plaque, subject, parent, base_url)


def _subtree(org):
    return Organisation.select().where(Organisation.path.startswith(org.path))


def plaques_for_organisation(org, include_organisations=False):
    """Active member badges (and optionally organisation plaques) under `org`, in code order.

    Returns (PlaqueCode, subject, parent) triples in three queries whatever the count.
    """
    organisations = {o.id: o for o in _subtree(org)}
    members = {m.id: m for m in Member.select().where(Member.branch.in_(list(organisations)), Member.active == True)}  # noqa: E712
    query = PlaqueCode.select().where(PlaqueCode.status == "active")
    member_clause = (PlaqueCode.subject_kind == MEMBER) & PlaqueCode.subject_id.in_(list(members) or [0])
    if include_organisations:
        query = query.where(
            member_clause | ((PlaqueCode.subject_kind == ORGANISATION) & PlaqueCode.subject_id.in_(list(organisations)))
        )
    else:
        query = query.where(member_clause)
    result = []
    for plaque in query.order_by(PlaqueCode.code):
        if plaque.subject_kind == MEMBER:
            member = members[plaque.subject_id]
            result.append((plaque, member, organisations.get(member.branch_id)))
        else:
            subject = organisations[plaque.subject_id]
            parent = organisations.get(subject.parent_id) or (subject.parent if subject.parent_id else None)
            result.append((plaque, subject, parent))
    return result


def sheet_contents(org, base_url, include_organisations=False):
    """PlaqueContent for every badge under `org`, in code order, for write_sheet."""
    return [
        _content(plaque, subject, parent, base_url)
        for plaque, subject, parent in plaques_for_organisation(org, include_organisations)
    ]


def export_rows(base_url, org=None):
    """Active codes as dicts (code, url, kind, name, organisation), in code order, streamed."""
    organisations = {o.id: o for o in (_subtree(org) if org is not None else Organisation.select())}
    member_query = Member.select(Member.id, Member.name_zh, Member.branch)
    if org is not None:
        member_query = member_query.where(Member.branch.in_(list(organisations)))
    members = {m.id: (m.name_zh, m.branch_id) for m in member_query.iterator()}
    query = PlaqueCode.select().where(PlaqueCode.status == "active").order_by(PlaqueCode.code)
    for plaque in query.iterator():
        if plaque.subject_kind == MEMBER:
            if plaque.subject_id not in members:
                continue
            name, branch_id = members[plaque.subject_id]
            organisation = organisations.get(branch_id)
        else:
            subject = organisations.get(plaque.subject_id)
            if subject is None:
                continue
            name, organisation = subject.name_zh, organisations.get(subject.parent_id)
        yield {
            "code": plaque.code,
            "url": public_url(base_url, plaque.code),
            "kind": plaque.subject_kind,
            "name": name,
            "organisation": organisation.name_zh if organisation else "",
        }


def events_of(plaque):
    """Issue, reissue and revocation events of a plaque, oldest first; a reason StarQR wrote (an
    archived organisation's note) comes back as a Phrase, shown in the page's language."""
    return phrases.read_fields(list(plaque.events.order_by(PlaqueEvent.at, PlaqueEvent.id)), "reason")
