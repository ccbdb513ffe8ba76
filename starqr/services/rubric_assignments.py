"""Which rubric rates an organisation (and its members), and why.

Every organisation has an effective rubric: the domain default unless an administrator
assigned another (shipped or uploaded) rubric to it or to a subtree above it (inherited
downward; the nearest assignment wins). An assignment applies from the day after the last
period that is scheduled, under notice or final, so it never changes such a period.
"""

import datetime

from starqr import rating
from starqr.db import database
from starqr.errors import N_, Invalid, Term
from starqr.models import Organisation, RatingPeriod, RubricAssignment, RubricVersion
from starqr.phrases import Phrase
from starqr.services import access, audit, revision
from starqr.services import vocabulary as words

ORGANISATION_SCOPE, MEMBER_SCOPE = "organisation", "member"
EARLIEST = datetime.date(1900, 1, 1)


class AssignmentError(Invalid):
    """A request the rules refuse; the message is Chinese, fit to show to the user."""

    code = "rubric_assignment_invalid"


def next_unscheduled_start():
    """The first day no scheduled, noticed or final period covers: where a new assignment starts."""
    last = (
        RatingPeriod.select(RatingPeriod.ends_on)
        .where(RatingPeriod.state.in_(("scheduled", "notice", "final")))
        .order_by(RatingPeriod.ends_on.desc())
        .first()
    )
    return last.ends_on + datetime.timedelta(days=1) if last else EARLIEST


def rubric_scope(key):
    row = RubricVersion.select(RubricVersion.scope).where(RubricVersion.key == key).first()
    if row is None:
        raise AssignmentError(N_("评星标准 %(key)s 不存在。"), code="rubric_not_found", key=key)
    return row.scope


def assign(actor, organisation, rubric_key, subtree=True, reason=None):
    """Assign RUBRIC_KEY to ORGANISATION (SUBTREE: and everything under it) from the next unscheduled period."""
    if not access.as_actor(actor).sees_everything:
        raise AssignmentError(N_("只有系统管理员可以指定评星标准。"))
    scope = rubric_scope(rubric_key)
    applies_from = next_unscheduled_start()
    with database.atomic():
        before = effective_rubric(organisation, scope=scope)
        row = RubricAssignment.create(
            organisation=organisation,
            rubric_key=rubric_key,
            subtree=bool(subtree),
            applies_from=applies_from,
            reason=(reason or "").strip()[:255] or None,
            assigned_by=audit.actor_name(actor),
        )
        audit.record(
            actor,
            "rubric.assign",
            organisation,
            {"rubric": before[0]},
            {"rubric": rubric_key, "subtree": bool(subtree), "applies_from": applies_from, "reason": row.reason},
        )
        materialise()
        revision.bump(organisation, subtree=bool(subtree))
    return row


def _ancestor_ids(organisation):
    return [int(part) for part in organisation.path.strip("/").split("/") if part]


# Why an organisation is rated by its rubric: a Phrase, in the reader's language where shown.
ORGANISATION_SETTING = N_("组织设置")
DOMAIN_DEFAULT = {
    MEMBER_SCOPE: N_("领域「%(domain)s」党员的默认标准"),
    ORGANISATION_SCOPE: N_("领域「%(domain)s」的默认标准"),
}
ASSIGNED, INHERITED = "assigned", "inherited"


def _default(organisation, scope):
    own = organisation.member_rubric_key if scope == MEMBER_SCOPE else organisation.rubric_key
    if own:
        return own, Phrase("setting", ORGANISATION_SETTING)
    defaults = rating.MEMBER_RUBRIC_BY_DOMAIN if scope == MEMBER_SCOPE else rating.DOMAIN_RUBRICS
    domain = Term(words.DOMAIN_NAMES[organisation.domain])
    return defaults[organisation.domain], Phrase("domain_default", DOMAIN_DEFAULT[scope], domain=domain)


def _pick(organisation, chain, assignments, scopes, scope, names):
    """The nearest assignment of SCOPE along CHAIN (the organisation first, then upward)."""
    for distance, org_id in enumerate(chain):
        row = assignments.get((org_id, scope))
        if row is None or (distance and not row.subtree):
            continue
        if distance == 0:
            if row.reason:
                return row.rubric_key, Phrase(ASSIGNED, N_("本组织指定(%(reason)s)"), reason=row.reason)
            return row.rubric_key, Phrase(ASSIGNED, N_("本组织指定"))
        return row.rubric_key, Phrase(INHERITED, N_("继承自上级「%(name)s」的指定"), name=names.get(org_id, org_id))
    return _default(organisation, scope)


def effective_rubrics(organisations, on=None, scope=ORGANISATION_SCOPE):
    """{organisation id: (rubric key, why)} for many organisations, in a few queries.

    ON: a date (a period's first day) for what rated that period; None for the newest assignments.
    """
    organisations = list(organisations)
    if not organisations:
        return {}
    chains = {o.id: _ancestor_ids(o)[::-1] or [o.id] for o in organisations}
    every = {org_id for chain in chains.values() for org_id in chain}
    rows = RubricAssignment.select().where(RubricAssignment.organisation.in_(list(every)))
    if on is not None:
        rows = rows.where(RubricAssignment.applies_from <= on)
    rows = list(rows.order_by(RubricAssignment.applies_from, RubricAssignment.id))
    scopes = dict(RubricVersion.select(RubricVersion.key, RubricVersion.scope).tuples()) if rows else {}
    assignments = {}
    for row in rows:
        assignments[(row.organisation_id, scopes.get(row.rubric_key, ORGANISATION_SCOPE))] = row
    names = {}
    if assignments:
        names = dict(
            Organisation.select(Organisation.id, Organisation.name_zh)
            .where(Organisation.id.in_([k[0] for k in assignments]))
            .tuples()
        )
    return {o.id: _pick(o, chains[o.id], assignments, scopes, scope, names) for o in organisations}


def effective_rubric(organisation, on=None, scope=ORGANISATION_SCOPE):
    """(rubric key, why) for ORGANISATION's own rating (SCOPE "member": for its members)."""
    return effective_rubrics([organisation], on, scope)[organisation.id]


def history(organisation):
    """The assignments made on ORGANISATION itself, newest first."""
    return list(
        RubricAssignment.select()
        .where(RubricAssignment.organisation == organisation)
        .order_by(RubricAssignment.applies_from.desc(), RubricAssignment.id.desc())
    )


def branch_rubric_keys():
    """({branch id: its rubric key}, {branch id: its members' rubric key}) for every active branch,
    as assigned now (one query: assignments are materialised on the rows)."""
    organisation_keys, member_keys = {}, {}
    for branch_id, domain, key, member_key in (
        Organisation.select(
            Organisation.id, Organisation.domain, Organisation.rubric_key, Organisation.member_rubric_key
        )
        .where(Organisation.level == "branch", Organisation.archived_at.is_null())
        .tuples()
    ):
        organisation_keys[branch_id] = key or rating.DOMAIN_RUBRICS[domain]
        member_keys[branch_id] = member_key or rating.MEMBER_RUBRIC_BY_DOMAIN[domain]
    return organisation_keys, member_keys


def materialise():
    """Write each organisation's effective assignment onto its row (rubric_key, member_rubric_key).

    Called after an assignment, a move or a tree import. With no assignment at all nothing is
    touched. Returns how many rows changed.
    """
    if not RubricAssignment.select().exists():
        return 0
    organisations = list(Organisation.select())
    wanted = {}
    for scope in (ORGANISATION_SCOPE, MEMBER_SCOPE):
        for org_id, (key, why) in effective_rubrics(organisations, None, scope).items():
            assigned = why.code in (ASSIGNED, INHERITED)
            wanted.setdefault(org_id, {})["rubric_key" if scope == ORGANISATION_SCOPE else "member_rubric_key"] = (
                key if assigned else None
            )
    assigned_keys = {key for (key,) in RubricAssignment.select(RubricAssignment.rubric_key).distinct().tuples()}
    changed = 0
    for organisation in organisations:
        fields = wanted[organisation.id]
        if fields["rubric_key"] is None and organisation.rubric_key and organisation.rubric_key not in assigned_keys:
            fields.pop("rubric_key")  # set directly, not by an assignment: leave it
        if any(getattr(organisation, name) != value for name, value in fields.items()):
            Organisation.update(**fields).where(Organisation.id == organisation.id).execute()
            changed += 1
    return changed
