"""Figures for the administrators' dashboard, in a handful of grouped queries.

Every figure takes the acting access.Actor and counts only what it may see.
"""

import datetime
from collections import Counter, defaultdict

from peewee import fn

from starqr.models import MEMBER, ORGANISATION, Member, Organisation
from starqr.models import Objection, PlaqueCode, Rating, RatingPeriod, ScanCount
from starqr.services import access, period_rules, scheduler


def _organisations(actor):
    query = access.organisations(actor).select(
        Organisation.id, Organisation.path, Organisation.level, Organisation.domain, Organisation.name_zh
    )
    return {row[0]: row for row in query.tuples()}


def _town_of(path, organisations):
    """The town (second level) on a materialised path, or None above the towns."""
    for part in path.strip("/").split("/"):
        org = organisations.get(int(part))
        if org is not None and org[2] == "town":
            return org[0]
    return None


def featured_period():
    """The period to chart: the newest published one, else the newest with drafts."""
    published = (
        RatingPeriod.select()
        .where(RatingPeriod.state.in_(period_rules.PUBLISHED))
        .order_by(RatingPeriod.published_at.desc())
        .first()
    )
    return published or period_rules.all_periods().first()


def star_distribution(actor, period):
    """({town name: Counter(member stars)}, {domain: Counter(branch stars)}, max stars by domain)."""
    organisations = _organisations(actor)
    published = period.state in period_rules.PUBLISHED
    latest = {}
    query = (
        Rating.select(Rating.subject_kind, Rating.subject_id, Rating.stars, Rating.max_stars)
        .where(Rating.period == period, Rating.published == published)
        .order_by(Rating.id)
        .tuples()
    )
    for kind, subject_id, stars, max_stars in query.iterator():
        latest[(kind, subject_id)] = (stars, max_stars)  # later ids supersede earlier ones
    member_ids = [sid for (kind, sid) in latest if kind == MEMBER]
    branch_of = {}
    for start in range(0, len(member_ids), 5000):
        chunk = member_ids[start : start + 5000]
        branch_of.update(Member.select(Member.id, Member.branch).where(Member.id.in_(chunk)).tuples())
    by_town = defaultdict(Counter)
    by_domain = defaultdict(Counter)
    domain_max = {}
    town_cache = {}
    for (kind, subject_id), (stars, max_stars) in latest.items():
        org_id = branch_of.get(subject_id) if kind == MEMBER else subject_id
        org = organisations.get(org_id)
        if org is None:
            continue  # outside the scope
        if kind == MEMBER:
            if org_id not in town_cache:
                town_cache[org_id] = _town_of(org[1], organisations)
            town = organisations.get(town_cache[org_id])
            by_town[town[4] if town else "—"][stars] += 1
        elif org[2] == "branch":
            by_domain[org[3]][stars] += 1
            domain_max[org[3]] = max(domain_max.get(org[3], 0), max_stars)
    return dict(sorted(by_town.items())), dict(sorted(by_domain.items())), domain_max


def objection_summary(actor):
    """Objection counts by status and the oldest open one, for plaques of subjects ACTOR may see."""
    counts_query = Objection.select(Objection.status, fn.COUNT(Objection.id)).group_by(Objection.status)
    oldest_query = Objection.select().where(Objection.status == "open").order_by(Objection.created_at)
    in_scope = _plaques_in_scope(actor)
    if in_scope is not None:
        counts_query = counts_query.where(Objection.plaque.in_(in_scope))
        oldest_query = oldest_query.where(Objection.plaque.in_(in_scope))
    counts = dict(counts_query.tuples())
    oldest = oldest_query.first()
    return {
        "open": counts.get("open", 0),
        "accepted": counts.get("accepted", 0),
        "rejected": counts.get("rejected", 0),
        "oldest_open": oldest,
    }


def _plaques_in_scope(actor):
    """A subquery of the plaque ids ACTOR may see, or None for everything."""
    condition = access.subject_filter(actor, PlaqueCode.subject_kind, PlaqueCode.subject_id)
    if condition is None:
        return None
    return PlaqueCode.select(PlaqueCode.id).where(condition)


def scans_over_time(actor, today=None, days=56):
    """[(week start, scans)] for the last DAYS days, by week."""
    today = today or datetime.date.today()
    start = today - datetime.timedelta(days=days - 1)
    query = (
        ScanCount.select(ScanCount.day, fn.SUM(ScanCount.count)).where(ScanCount.day >= start).group_by(ScanCount.day)
    )
    in_scope = _plaques_in_scope(actor)
    if in_scope is not None:
        query = query.where(ScanCount.plaque.in_(in_scope))
    weeks = Counter()
    for day, total in query.tuples():
        if isinstance(day, str):
            day = datetime.date.fromisoformat(day)
        weeks[start + datetime.timedelta(days=7 * ((day - start).days // 7))] += int(total or 0)
    return [
        (start + datetime.timedelta(days=7 * n), weeks.get(start + datetime.timedelta(days=7 * n), 0))
        for n in range((days + 6) // 7)
    ]


def _scan_rows(actor, query):
    """QUERY's rows (plaque id first) for the plaques ACTOR may see, and those plaques by id."""
    in_scope = _plaques_in_scope(actor)
    if in_scope is not None:
        query = query.where(ScanCount.plaque.in_(in_scope))
    rows = list(query.tuples())
    by_id = {p.id: p for p in PlaqueCode.select().where(PlaqueCode.id.in_([r[0] for r in rows] or [0]))}
    return rows, by_id


def top_plaques(actor, today=None, days=30, limit=10):
    """[(PlaqueCode, scans in the last DAYS days)], most scanned first."""
    today = today or datetime.date.today()
    since = today - datetime.timedelta(days=days)
    total = fn.SUM(ScanCount.count).alias("total")
    query = (
        ScanCount.select(ScanCount.plaque, total)
        .where(ScanCount.day > since)
        .group_by(ScanCount.plaque)
        .order_by(total.desc())
        .limit(limit)
    )
    rows, by_id = _scan_rows(actor, query)
    return [(by_id[pid], int(count)) for pid, count in rows if pid in by_id]


def stopped_plaques(actor, today=None, days=30, limit=50):
    """Active plaques scanned before but not in the last DAYS days: [(PlaqueCode, last scan day, scans)]."""
    today = today or datetime.date.today()
    cutoff = today - datetime.timedelta(days=days)
    last = fn.MAX(ScanCount.day)
    query = (
        ScanCount.select(ScanCount.plaque, last.alias("last"), fn.SUM(ScanCount.count))
        .join(PlaqueCode)
        .where(PlaqueCode.status == "active")
        .group_by(ScanCount.plaque)
        .having(last <= cutoff)
        .order_by(last)
        .limit(limit)
    )
    rows, by_id = _scan_rows(actor, query)
    result = []
    for pid, day, count in rows:
        if isinstance(day, str):
            day = datetime.date.fromisoformat(day)
        if pid in by_id:
            result.append((by_id[pid], day, int(count or 0)))
    return result


def subject_names(plaques):
    """{plaque id: subject name} for a few plaques."""
    members = [p.subject_id for p in plaques if p.subject_kind == MEMBER]
    orgs = [p.subject_id for p in plaques if p.subject_kind == ORGANISATION]
    member_names = dict(Member.select(Member.id, Member.name_zh).where(Member.id.in_(members or [0])).tuples())
    org_names = dict(
        Organisation.select(Organisation.id, Organisation.name_zh).where(Organisation.id.in_(orgs or [0])).tuples()
    )
    return {p.id: (member_names if p.subject_kind == MEMBER else org_names).get(p.subject_id, "") for p in plaques}


def calendar(now=None):
    return scheduler.calendar(now)
