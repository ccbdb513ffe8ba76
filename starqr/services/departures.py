"""Members a roster import found missing ("not in roster"): an administrator confirms each departure.

Nothing leaves the roll automatically. A confirmed departure takes the member off the
active roll with a reason that stays private (never on a public page); the record, the
ledger and past ratings stay.
"""

import datetime

from starqr.db import database
from starqr.errors import N_
from starqr.models import Member, Organisation
from starqr.services import members
from starqr.services.organisations import OrganisationError, scope_path


def flagged(actor, limit=1000):
    """Active members flagged "not in roster" within the actor's scope, by branch."""
    query = (
        Member.select(Member, Organisation)
        .join(Organisation)
        .where(Member.active == True, Member.missing_from_roster_at.is_null(False))  # noqa: E712
        .order_by(Organisation.path, Member.id)
    )
    path = scope_path(actor)
    if path:
        query = query.where(Organisation.path.startswith(path))
    return list(query.limit(limit))


def _members(actor, member_ids):
    chosen = flagged(actor, limit=100_000)
    wanted = {int(i) for i in member_ids}
    found = [m for m in chosen if m.id in wanted]
    if len(found) != len(wanted):
        raise OrganisationError(N_("所选党员不在待确认名单中,或不在您的管理范围内。"))
    return found


def confirm(actor, member_ids, reason, left_on=None):
    """Take the chosen flagged members off the roll (one or a batch). Returns how many."""
    reason = (reason or "").strip()
    if not reason:
        raise OrganisationError(N_("请填写离开名册的原因(不会公开)。"))
    chosen = _members(actor, member_ids)
    with database.atomic():
        for member in chosen:
            members.retire_member(actor, member, left_on or datetime.date.today(), reason)
            Member.update(missing_from_roster_at=None).where(Member.id == member.id).execute()
    return len(chosen)


def dismiss(actor, member_ids):
    """Keep the chosen members on the roll and clear their flag (e.g. the file was incomplete)."""
    chosen = _members(actor, member_ids)
    Member.update(missing_from_roster_at=None).where(Member.id.in_([m.id for m in chosen])).execute()
    return len(chosen)
