"""Where a branch and its members stand: published stars, live points and estimate, the
notice, open objections, and what needs the secretary's attention. Batched: a branch of
200 members costs a handful of queries."""

import datetime
from collections import defaultdict

from starqr import phrases
from starqr.models import (
    MEMBER,
    ORGANISATION,
    Commitment,
    LedgerEntry,
    Objection,
    PlaqueCode,
    RatingPeriod,
    ScanCount,
)
from starqr.services import period_rules, rating_inputs, rubrics, what_if
from starqr.services.profile_loader import published_ratings


# Attention flags, in the order they are shown.
COMMITMENT_OVERDUE = "commitment_overdue"
NO_ENTRY_THIS_QUARTER = "no_entry_this_quarter"
NOT_IN_ROSTER = "not_in_roster"


def published_period():
    return period_rules.newest_period(period_rules.PUBLISHED)


def live_period():
    return period_rules.newest_period(period_rules.TAKING_POINTS)


def published_stars(kind, subject_ids, period):
    """{subject id: Rating} newest published rating in PERIOD (a correction wins)."""
    if period is None or not subject_ids:
        return {}
    return {row.subject_id: row for row in published_ratings(kind, subject_ids, [period])}


def live_values(kind, subject_ids, period):
    """{subject id: {item: value}} recorded so far in PERIOD, by the rating run's rule
    (rating_inputs: an event item's entries add up, a value item takes its latest)."""
    if period is None or not subject_ids:
        return {}
    found = rating_inputs.ledger_values(period, kind, subject_ids)
    return {subject_id: values for (_kind, subject_id), values in found.items()}


def estimates(rubric, kind, values, categories):
    """{subject id: {"points", "total", "stars", "max_stars", "vetoed"}} of the subjects of KIND in
    CATEGORIES ({id: category}) with VALUES ({id: {item: points}}); stars only for points rubrics
    (and None for a subject whose values the rubric cannot rate)."""
    result = {}
    ids = list(categories)
    rated = {}
    if rubric.kind == "points" and ids:
        subjects = [(kind, i, categories[i]) for i in ids]
        # As the rating run: items the rubric does not know are not counted, and a subject it
        # cannot rate has no estimate instead of stopping the page.
        rated = what_if.rate(rubric, subjects, {(kind, i): v for i, v in values.items()}, errors={})
    for subject_id in ids:
        points = round(sum(values.get(subject_id, {}).values()), 2)
        estimate = rated.get((kind, subject_id))
        result[subject_id] = {
            "points": points,
            "total": float(estimate.total) if estimate else None,
            "stars": estimate.stars if estimate else None,
            "max_stars": estimate.max_stars if estimate else rubric.max_stars,
            "vetoed": bool(estimate.vetoed) if estimate else False,
        }
    return result


def quarter_start(today):
    return datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


def _open_objections(branch, member_ids):
    plaques = PlaqueCode.select(PlaqueCode.id).where(
        ((PlaqueCode.subject_kind == ORGANISATION) & (PlaqueCode.subject_id == branch.id))
        | ((PlaqueCode.subject_kind == MEMBER) & PlaqueCode.subject_id.in_(list(member_ids) or [0]))
    )
    return list(
        Objection.select(Objection, PlaqueCode)
        .join(PlaqueCode)
        .where(Objection.plaque.in_(plaques), Objection.status == "open")
        .order_by(Objection.created_at.desc())
        .limit(50)
    )


def never_scanned(kind_ids):
    """Active plaques among {(kind, id)...} never scanned: [(plaque, kind, id)]."""
    clauses = None
    for kind in (ORGANISATION, MEMBER):
        ids = [i for k, i in kind_ids if k == kind]
        if ids:
            clause = (PlaqueCode.subject_kind == kind) & PlaqueCode.subject_id.in_(ids)
            clauses = clause if clauses is None else clauses | clause
    if clauses is None:
        return []
    scanned = ScanCount.select(ScanCount.plaque).where(ScanCount.count > 0)
    return list(
        PlaqueCode.select()
        .where(clauses, PlaqueCode.status == "active", PlaqueCode.id.not_in(scanned))
        .order_by(PlaqueCode.subject_kind, PlaqueCode.subject_id)
    )


def branch_standing(branch, members, today=None):
    """Everything the branch home shows above the member list, and a row per member."""
    today = today or datetime.date.today()
    published, live = published_period(), live_period()
    member_ids = [m.id for m in members]
    # the branch itself
    _version, branch_rubric = rubrics.current_rubric(rubrics.organisation_rubric_key(branch))
    branch_values = live_values(ORGANISATION, [branch.id], live)
    branch_live = estimates(branch_rubric, ORGANISATION, branch_values, {branch.id: None})[branch.id] if live else None
    branch_result = published_stars(ORGANISATION, [branch.id], published).get(branch.id)
    # its members
    _mversion, member_rubric = rubrics.current_rubric(rubrics.member_rubric_key(branch))
    member_results = published_stars(MEMBER, member_ids, published)
    values = live_values(MEMBER, member_ids, live)
    categories = {m.id: rubrics.rating_category(m.category, m.exempt) for m in members}
    member_live = estimates(member_rubric, MEMBER, values, categories) if live else {}
    flags = attention_flags(members, live, today)
    rows = [
        {"member": m, "result": member_results.get(m.id), "live": member_live.get(m.id), "flags": flags.get(m.id, [])}
        for m in members
    ]
    notice = None
    if published is not None and published.state == "notice":
        notice = {"period": published, "ends_at": published.notice_ends_at}
    subjects = [(ORGANISATION, branch.id)] + [(MEMBER, i) for i in member_ids if i]
    names = {(MEMBER, m.id): m.name_zh for m in members}
    names[(ORGANISATION, branch.id)] = branch.name_zh
    unscanned = [{"plaque": p, "name": names.get((p.subject_kind, p.subject_id), "")} for p in never_scanned(subjects)]
    return {
        "published": published,
        "live_period": live,
        "branch_result": branch_result,
        "branch_live": branch_live,
        "branch_rubric": branch_rubric,
        "member_rubric": member_rubric,
        "notice": notice,
        "objections": _open_objections(branch, member_ids),
        "rows": rows,
        "unscanned": unscanned,
        "attention": sum(1 for row in rows if row["flags"]),
    }


def attention_flags(members, live, today):
    """{member id: [flag...]}: commitment past due, no entry this quarter, not in the roster."""
    ids = [m.id for m in members]
    flags = defaultdict(list)
    if not ids:
        return flags
    overdue = {
        row.subject_id
        for row in Commitment.select(Commitment.subject_id).where(
            Commitment.subject_kind == MEMBER,
            Commitment.subject_id.in_(ids),
            Commitment.deadline < today,
            Commitment.status.in_(("not_started", "in_progress")),
        )
    }
    since = datetime.datetime.combine(quarter_start(today), datetime.time())
    recent = {
        row.subject_id
        for row in LedgerEntry.select(LedgerEntry.subject_id).where(
            LedgerEntry.subject_kind == MEMBER, LedgerEntry.subject_id.in_(ids), LedgerEntry.recorded_at >= since
        )
    }
    for member in members:
        if member.id in overdue:
            flags[member.id].append(COMMITMENT_OVERDUE)
        if member.active and member.id not in recent:
            flags[member.id].append(NO_ENTRY_THIS_QUARTER)
        if not member.active:
            flags[member.id].append(NOT_IN_ROSTER)
    return flags


def member_standing(member, today=None):
    """A member's published result and live points (with the estimate) for the page's top."""
    today = today or datetime.date.today()
    published, live = published_period(), live_period()
    _version, rubric = rubrics.current_rubric(rubrics.member_rubric_key(member.branch))
    values = live_values(MEMBER, [member.id], live)
    category = rubrics.rating_category(member.category, member.exempt)
    return {
        "published": published,
        "result": published_stars(MEMBER, [member.id], published).get(member.id),
        "live_period": live,
        "live": estimates(rubric, MEMBER, values, {member.id: category})[member.id] if live else None,
        "by_item": values.get(member.id, {}),
        "rubric": rubric,
        "flags": attention_flags([member], live, today).get(member.id, []),
    }


def ledger_page(kind, subject_id, page=1, per_page=25, year=None, item=None):
    """(entries newest first, total count, years with entries, items with entries) for one subject."""
    base = LedgerEntry.select().where(LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject_id)
    query = (
        LedgerEntry.select(LedgerEntry, RatingPeriod)
        .join(RatingPeriod)
        .where(LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject_id)
    )
    if year:
        query = query.where(RatingPeriod.year == year)
    if item:
        query = query.where(LedgerEntry.item == item)
    total = query.count()
    entries = list(query.order_by(LedgerEntry.id.desc()).offset((page - 1) * per_page).limit(per_page))
    phrases.read_fields(entries, "reason", "evidence")  # StarQR's own sentences in the page's language
    years = sorted(
        {
            y
            for (y,) in (
                RatingPeriod.select(RatingPeriod.year)
                .join(LedgerEntry)
                .where(LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject_id)
                .distinct()
                .tuples()
            )
        },
        reverse=True,
    )
    items = sorted({i for (i,) in base.select(LedgerEntry.item).distinct().tuples()})
    return entries, total, years, items
