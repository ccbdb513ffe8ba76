"""Public profiles of members and organisations: what a scan shows, as plain data.

This module is the single source of the public page and of its JSON twin. It reads
only fields that are public (never MemberPrivate, never an objection's contact) and
returns dicts of strings, numbers, lists and None, so the HTML template and
``json.dumps`` render the very same data.

Every builder runs a fixed number of queries whatever the number of members, periods
or ledger entries (tests/test_public_queries.py holds them to it).
"""
import datetime
from collections import defaultdict

from peewee import fn

from starqr import checkpoints, rating
from starqr.models import (MEMBER, ORGANISATION, BranchMemberCount, Commitment, LedgerEntry, Member, Objection,
                           Organisation, PlaqueCode, Post, Rating, RatingPeriod, RubricVersion)
from starqr.services import contests, rating_inputs, rubrics, star_reasons, town_designation
from starqr.services.plaques import normalise

PUBLISHED_STATES = ("notice", "final")
LIVE_STATES = ("draft", "scheduled")
LIVE_ENTRIES_SHOWN = 12
PRIVATE_CATEGORIES = ("special",)  # 特殊: old or ill  # the HTML lists the newest entries; the JSON carries them all


class Lookup:
    """What a code resolves to: a profile, a revoked code (with its replacement) or nothing."""

    def __init__(self, status, plaque=None, replacement=None):
        self.status = status  # "active" | "revoked" | "unknown"
        self.plaque = plaque
        self.replacement = replacement


def lookup(code):
    """Resolve a printed code (any case). A revoked code follows its replacements to the active one."""
    code = normalise(code)
    if not code or len(code) > 16:
        return Lookup("unknown")
    plaque = PlaqueCode.get_or_none(PlaqueCode.code == code)
    if plaque is None:
        return Lookup("unknown")
    if plaque.status == "active":
        return Lookup("active", plaque)
    replacement, seen = plaque, set()
    while replacement is not None and replacement.status != "active" and replacement.id not in seen:
        seen.add(replacement.id)
        replacement = (PlaqueCode.get_or_none(PlaqueCode.id == replacement.replaced_by_id)
                       if replacement.replaced_by_id else None)
    return Lookup("revoked", plaque, replacement)


def profile_for(plaque, today=None):
    """The public profile of an active plaque's subject, or None if the subject is gone."""
    today = today or datetime.date.today()
    if plaque.subject_kind == MEMBER:
        member = Member.get_or_none(Member.id == plaque.subject_id)
        return member_profile(member, plaque, today) if member else None
    organisation = Organisation.get_or_none(Organisation.id == plaque.subject_id)
    return organisation_profile(organisation, plaque, today) if organisation else None


# ---------------------------------------------------------------- small helpers

def _iso(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"  # stored as naive UTC
    return value.isoformat()


def _number(value):
    if value is None:
        return None
    value = float(value)
    return int(value) if value == int(value) else round(value, 2)


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _years_between(start, today):
    if start is None:
        return None
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def _party_age(member, branch, today):
    try:
        _, rubric = rubrics.current_rubric(rubrics.member_rubric_key(branch))
    except (LookupError, rating.RubricError):
        rubric = None
    return rating_inputs.party_age_years(member, today, rubric)


def _period_dict(period):
    return {"id": period.id, "name": period.name, "year": period.year, "quarter": period.quarter,
            "state": period.state, "published_at": _iso(period.published_at),
            "notice_ends_at": _iso(period.notice_ends_at), "finalised_at": _iso(period.finalised_at)}


def _periods():
    """(all periods oldest first, published ones, the live one or None) in one query."""
    periods = list(RatingPeriod.select().order_by(RatingPeriod.year, fn.COALESCE(RatingPeriod.quarter, 0),
                                                  RatingPeriod.id))
    published = [p for p in periods if p.state in PUBLISHED_STATES]
    live = [p for p in periods if p.state in LIVE_STATES
            and (not published or p.year >= published[-1].year)]
    return periods, published, (live[-1] if live else None)


def _codes(organisation_ids=(), member_ids=()):
    """Active plaque codes {(kind, id): code} for the given subjects, in one query."""
    clauses = []
    if organisation_ids:
        clauses.append((PlaqueCode.subject_kind == ORGANISATION) & PlaqueCode.subject_id.in_(list(organisation_ids)))
    if member_ids:
        clauses.append((PlaqueCode.subject_kind == MEMBER) & PlaqueCode.subject_id.in_(list(member_ids)))
    if not clauses:
        return {}
    where = clauses[0] if len(clauses) == 1 else clauses[0] | clauses[1]
    query = (PlaqueCode.select(PlaqueCode.subject_kind, PlaqueCode.subject_id, PlaqueCode.code)
             .where(where, PlaqueCode.status == "active").tuples())
    return {(kind, subject_id): code for kind, subject_id, code in query}


def _chain(organisation):
    """The organisation's ancestors from the top, then itself (one query on the path)."""
    ids = [int(part) for part in organisation.path.strip("/").split("/") if part]
    if organisation.id not in ids:
        ids.append(organisation.id)
    found = {o.id: o for o in Organisation.select().where(Organisation.id.in_(ids))}
    found[organisation.id] = organisation
    return [found[i] for i in ids if i in found]


def _org_ref(organisation, codes):
    return {"name_zh": organisation.name_zh, "name_mn": organisation.name_mn, "level": organisation.level,
            "code": codes.get((ORGANISATION, organisation.id))}


# ---------------------------------------------------------------- ratings and the archive

def _rating_dict(r, period):
    rubric = rubrics.parsed(r.rubric)
    marks = star_reasons.pass_marks(rubric)
    entry = {
        "period": period.name, "period_id": period.id, "year": period.year, "state": period.state,
        "published_at": _iso(r.published_at or period.published_at),
        "notice_ends_at": _iso(period.notice_ends_at) if period.state == "notice" else None,
        "total": _number(r.total), "stars": r.stars, "max_stars": r.max_stars,
        "vetoed": bool(r.vetoed), "veto_items": list(r.veto_items or []), "exempt": bool(r.exempt),
        # the rubric's names for the veto items: the page shows words, never item ids
        "veto_names": star_reasons.item_names(rubric, r.veto_items),
        "listing": r.listing, "designations": list(r.designations or []),
        "breakdown": [{"id": b.get("id"), "name": b.get("name"), "score": _number(b.get("score")),
                       "max": _number(b.get("max")), "passed": b.get("passed"),
                       "pass_at": marks.get(b.get("id"))} for b in (r.breakdown or [])],
        "rubric": r.rubric.name, "rubric_key": r.rubric.key, "rubric_version": r.rubric.version,
        "rubric_kind": rubric.kind,
        "corrected": r.supersedes_id is not None,
        "correction_reason": r.correction_reason if r.supersedes_id is not None else None,
        # a correction is announced with its date (the superseding snapshot's publication)
        "corrected_at": _iso(r.published_at) if r.supersedes_id is not None else None,
    }
    entry["why"] = star_reasons.explain(rubric, entry)
    return entry


def _archive(kind, subject_id, published_periods):
    """Every published period's newest rating, oldest first, with the change in stars and total."""
    if not published_periods:
        return []
    by_id = {p.id: p for p in published_periods}
    query = (Rating.select(Rating, RubricVersion).join(RubricVersion)
             .where(Rating.subject_kind == kind, Rating.subject_id == subject_id, Rating.published == True,  # noqa: E712
                    Rating.period.in_(list(by_id)))
             .order_by(Rating.id))
    newest = {}
    for r in query:
        newest[r.period_id] = r  # a correction supersedes the earlier snapshot
    archive, previous = [], None
    for period in published_periods:
        r = newest.get(period.id)
        if r is None:
            continue
        entry = _rating_dict(r, period)
        entry["change_stars"] = None if previous is None else entry["stars"] - previous["stars"]
        entry["change_total"] = None if previous is None else _number(entry["total"] - previous["total"])
        archive.append(entry)
        previous = entry
    return archive


def _latest_stars(kind, subject_ids, period):
    """{subject id: (stars, max_stars, vetoed, exempt)} in PERIOD, one query."""
    if period is None or not subject_ids:
        return {}
    query = (Rating.select(Rating.subject_id, Rating.stars, Rating.max_stars, Rating.vetoed, Rating.exempt)
             .where(Rating.period == period, Rating.subject_kind == kind, Rating.published == True,  # noqa: E712
                    Rating.subject_id.in_(list(subject_ids)))
             .order_by(Rating.id).tuples())
    return {sid: (stars, max_stars, bool(vetoed), bool(exempt)) for sid, stars, max_stars, vetoed, exempt in query}


def _stars_ref(value):
    if value is None:
        return None
    stars, max_stars, vetoed, exempt = value
    return {"stars": stars, "max_stars": max_stars, "vetoed": vetoed, "exempt": exempt}


# ---------------------------------------------------------------- live points

def _live(kind, subject_id, period, rubric_key, category, today):
    """This period's ledger so far: items, entries, and an unofficial estimate for points rubrics."""
    if period is None:
        return None
    try:
        version, rubric = rubrics.current_rubric(rubric_key)
    except (LookupError, rating.RubricError):  # a rubric that cannot be read: no live box, never a 500
        return None
    entries = list(LedgerEntry.select(LedgerEntry.id, LedgerEntry.item, LedgerEntry.points, LedgerEntry.quantity,
                                      LedgerEntry.reason, LedgerEntry.public_reason, LedgerEntry.occurred_on,
                                      LedgerEntry.recorded_at, LedgerEntry.corrects)
                   .where(LedgerEntry.period == period, LedgerEntry.subject_kind == kind,
                          LedgerEntry.subject_id == subject_id)
                   .order_by(LedgerEntry.id.desc()).tuples())

    def item_name(item_id):
        try:
            return rubric.item(item_id).name
        except KeyError:
            return item_id

    sums, counts = defaultdict(float), defaultdict(int)
    listed = []
    for entry_id, item, points, quantity, reason, public, occurred_on, recorded_at, corrects in entries:
        sums[item] += float(points)
        counts[item] += quantity
        listed.append({"item": item, "name": item_name(item), "points": _number(points), "quantity": quantity,
                       "date": occurred_on or _iso(recorded_at.date()),
                       # a reason kept off public pages shows as the item's name alone
                       "reason": reason if public else None,
                       "correction": corrects is not None})
    # newest first by the day it happened (recording order is not event order)
    listed.sort(key=lambda e: e["date"] or "", reverse=True)
    # Values by the ledger's rule per item kind (rating_inputs): a value item shows the
    # value in use (the latest entry), not the sum of its entries.
    values = rating_inputs.values_from_entries(
        [(item, entry_id, points, corrects) for entry_id, item, points, _q, _r, _p, _o, _t, corrects
         in reversed(entries)], rating_inputs.value_ids_of(rubric))
    sums = {item: values.get(item, 0.0) for item in sums}
    items = [{"item": item, "name": item_name(item), "points": _number(total), "count": counts[item]}
             for item, total in sorted(sums.items(), key=lambda pair: -abs(pair[1]))]
    estimate = None
    if rubric.kind == "points":
        # Data the rubric cannot rate gives no estimate rather than an error page.
        result = rating.rate_all(rubric, [rating.SubjectInput(subject_id, values, category)], errors={},
                                 ignore_unknown=True).get(subject_id)
        if result is not None:
            estimate = {"total": _number(result.total), "stars": result.stars, "max_stars": result.max_stars,
                        "vetoed": bool(result.vetoed), "exempt": bool(result.exempt)}
    return {"period": period.name, "period_id": period.id, "state": period.state,
            "publish_at": _iso(period.publish_at), "as_of": today.isoformat(),
            "points": _number(sum(sums.values())), "rubric": version.name,
            "by_item": items, "entries": listed, "estimate": estimate}


# ---------------------------------------------------------------- commitments and objections

def _commitments(kind, subject_id, years):
    query = (Commitment.select().where(Commitment.subject_kind == kind, Commitment.subject_id == subject_id,
                                       Commitment.year.in_(years))
             .order_by(Commitment.year.desc(), Commitment.deadline, Commitment.id))
    result = []
    for c in query:
        result.append({
            "year": c.year, "text": c.text, "deadline": _iso(c.deadline), "status": c.status,
            "progress": [{"date": n.get("date"), "text": n.get("text")} for n in (c.progress_notes or [])],
            # photos are files for the console; the public page names them, text evidence is shown
            "evidence": [e.get("value") if e.get("kind") == "text" else None for e in (c.evidence or [])],
            "evaluation": c.evaluation,
            # often illness or family matters: public only once a secretary marked it publishable
            "reason_not_kept": c.reason_not_kept if c.status == "not_done" and c.reason_public else None,
        })
    return result


def _objections(kind, subject_id):
    """Resolved objections about this subject: reference, date, outcome, and a rejection's reason.

    The objection's own text and contact stay with the administrators: a sender may have
    written personal details into them.
    """
    plaques = PlaqueCode.select(PlaqueCode.id).where(PlaqueCode.subject_kind == kind,
                                                     PlaqueCode.subject_id == subject_id)
    query = (Objection.select(Objection.reference, Objection.status, Objection.resolution, Objection.resolved_at,
                              Objection.created_at, Objection.period)
             .where(Objection.plaque.in_(plaques)).order_by(Objection.created_at.desc()).limit(20).tuples())
    result = {"open": 0, "resolved": []}
    for reference, status, resolution, resolved_at, created_at, period_id in query:
        if status == "open":
            result["open"] += 1
            continue
        result["resolved"].append({"reference": reference, "status": status, "received_at": _iso(created_at),
                                   "resolved_at": _iso(resolved_at), "period_id": period_id,
                                   "reason": resolution if status == "rejected" else None})
    return result


def _notice(archive, published_periods):
    """The public notice (公示) if the newest published result is under it."""
    if not published_periods or published_periods[-1].state != "notice":
        return None
    period = published_periods[-1]
    return {"period": period.name, "period_id": period.id, "published_at": _iso(period.published_at),
            "ends_at": _iso(period.notice_ends_at), "objections_open": True,
            # the ledger's newest signed checkpoint: anyone may keep it and check the ledger later
            "ledger_checkpoint": checkpoints.latest_public()}


# ---------------------------------------------------------------- members

def member_profile(member, plaque, today=None):
    """The public profile of MEMBER, scanned through PLAQUE."""
    today = today or datetime.date.today()
    branch = member.branch  # one query
    chain = _chain(branch)
    periods, published, live_period = _periods()
    codes = _codes([o.id for o in chain])
    # A member who left the roll keeps only name, branch and the published archive in public:
    # why they left (death, expulsion, transfer) is not the public's business.
    on_roll = bool(member.active)
    posts = [{"title": p.title, "duties": p.duties, "since": _iso(p.since)}
             for p in Post.select().where(Post.member == member, Post.active == True).order_by(Post.id)  # noqa: E712
             ] if on_roll else []
    archive = _archive(MEMBER, member.id, published)
    category = rubrics.rating_category(member.category, member.exempt)
    live = _live(MEMBER, member.id, live_period, rubrics.member_rubric_key(branch), category, today) \
        if member.active else None
    years = sorted({today.year, today.year - 1} | ({live_period.year} if live_period else set()))
    photo = bool(on_roll and member.photo_path and member.consent_photo)
    return {
        "kind": MEMBER,
        "code": plaque.code,
        "name_zh": member.name_zh,
        "name_mn": member.name_mn,
        "photo": photo,
        "branch": _org_ref(branch, codes),
        "organisations": [_org_ref(o, codes) for o in chain[:-1]],
        # A category that may opt out of rating (old age, long illness) is nobody's business:
        # the public sees a neutral 免评 (exempt) when the member opted out, never the category.
        "category": None if member.category in PRIVATE_CATEGORIES else member.category,
        "status": member.status,
        "occupation": member.occupation,
        "joined_year": member.joined_on.year if member.joined_on else None,
        # 党龄 as the member's rubric counts it (from 转正 unless the scheme says otherwise)
        "years_of_membership": _party_age(member, branch, today),
        "party_post": member.party_post,
        "exempt": bool(member.exempt),
        "active": on_roll,
        "posts": posts,
        "commitments": _commitments(MEMBER, member.id, years) if on_roll else [],
        "live": live,
        "latest": archive[-1] if archive else None,
        "archive": archive,
        "notice": _notice(archive, published),
        "objections": _objections(MEMBER, member.id),
        "honours": _lines(member.honours) if on_roll else [],
        "volunteer_service": _lines(member.volunteer_service) if on_roll else [],
        "volunteer_hours": (member.volunteer_hours or 0) if on_roll else 0,
        "as_of": today.isoformat(),
    }


# ---------------------------------------------------------------- organisations

def organisation_profile(organisation, plaque, today=None):
    """The public profile of ORGANISATION (a branch, or a higher level), scanned through PLAQUE."""
    today = today or datetime.date.today()
    chain = _chain(organisation)
    periods, published, live_period = _periods()
    latest_period = published[-1] if published else None
    children = list(Organisation.select().where(Organisation.parent == organisation)
                    .order_by(Organisation.sort_order, Organisation.id))
    is_branch = organisation.level == "branch"
    members = []
    if is_branch:
        members = list(Member.select(Member.id, Member.name_zh, Member.name_mn, Member.party_post, Member.category)
                       .where(Member.branch == organisation, Member.active == True)  # noqa: E712
                       .order_by(Member.party_post.is_null(), Member.id))
        member_count = len(members)
    else:
        # the maintained per-branch counts (m0015_b), not a count of the region's members
        member_count = int(BranchMemberCount.select(fn.COALESCE(fn.SUM(BranchMemberCount.members), 0))
                           .join(Organisation, on=(Organisation.id == BranchMemberCount.branch_id))
                           .where(Organisation.path.startswith(organisation.path)).scalar() or 0)
    codes = _codes([o.id for o in chain] + [c.id for c in children], [m.id for m in members])
    member_stars = _latest_stars(MEMBER, [m.id for m in members], latest_period)
    child_stars = _latest_stars(ORGANISATION, [c.id for c in children], latest_period)

    archive = _archive(ORGANISATION, organisation.id, published) if is_branch else []
    live = (_live(ORGANISATION, organisation.id, live_period, rubrics.organisation_rubric_key(organisation),
                  None, today) if is_branch else None)
    # Star distribution of every branch below a higher-level organisation, in the latest period.
    distribution = None
    if not is_branch and latest_period is not None:
        branch_ids = (Organisation.select(Organisation.id)
                      .where(Organisation.path.startswith(organisation.path), Organisation.level == "branch"))
        rows = (Rating.select(Rating.stars, Rating.max_stars, fn.COUNT(Rating.id))
                .where(Rating.period == latest_period, Rating.subject_kind == ORGANISATION,
                       Rating.published == True, Rating.supersedes.is_null(),  # noqa: E712
                       Rating.subject_id.in_(branch_ids))
                .group_by(Rating.stars, Rating.max_stars).order_by(Rating.max_stars.desc(), Rating.stars.desc())
                .tuples())
        distribution = {"period": latest_period.name,
                        "rows": [{"stars": s, "max_stars": m, "count": n} for s, m, n in rows]}
    return {
        "kind": ORGANISATION,
        "code": plaque.code,
        "name_zh": organisation.name_zh,
        "name_mn": organisation.name_mn,
        "level": organisation.level,
        "domain": organisation.domain,
        "organisations": [_org_ref(o, codes) for o in chain[:-1]],
        "secretary": organisation.secretary_name,
        "member_count": member_count,
        "venue_area_m2": _number(organisation.venue_area_m2),
        "venue_address": organisation.venue_address,
        "founded_on": _iso(organisation.founded_on),
        "feature_projects": _lines(organisation.feature_projects),
        "office_phone": organisation.office_phone,
        "rubric": (archive[-1]["rubric"] if archive else
                   rubrics.latest_version(rubrics.organisation_rubric_key(organisation)).name if is_branch else None),
        "commitments": _commitments(ORGANISATION, organisation.id,
                                    sorted({today.year, today.year - 1}
                                           | ({live_period.year} if live_period else set()))),
        "live": live,
        "latest": archive[-1] if archive else None,
        "archive": archive,
        "notice": _notice(archive, published) if is_branch else None,
        "objections": _objections(ORGANISATION, organisation.id),
        "members_period": latest_period.name if latest_period else None,
        "members": [{"name_zh": m.name_zh, "name_mn": m.name_mn, "party_post": m.party_post,
                     "code": codes.get((MEMBER, m.id)), "rating": _stars_ref(member_stars.get(m.id))}
                    for m in members],
        "children": [dict(_org_ref(c, codes), rating=_stars_ref(child_stars.get(c.id))) for c in children],
        "distribution": distribution,
        # 比武争星 rankings and the 整乡推进示范苏木镇 designation (lane l13, services/contests.py)
        "contests": contests.public_results(organisation.id) if is_branch else [],
        "town_designation": town_designation.town_designation(organisation) if organisation.level == "town" else None,
        "as_of": today.isoformat(),
    }
