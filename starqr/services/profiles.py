"""Public profiles of members and organisations: what a scan shows, as plain data.

This module is the single source of the public page and of its JSON twin. It reads
only fields that are public (never MemberPrivate, never an objection's contact) and
returns dicts of strings, numbers, lists and None, so the HTML template and
``json.dumps`` render the very same data.

Every builder runs a fixed number of queries whatever the number of members, periods
or ledger entries (tests/test_public_queries.py holds them to it).
"""

import datetime

from peewee import fn

from starqr import rating
from starqr.models import (
    MEMBER,
    ORGANISATION,
    BranchMemberCount,
    Member,
    Organisation,
    PlaqueCode,
    Post,
    Rating,
    RatingPeriod,
)
from starqr.services import contest_results, rating_inputs, rubrics, town_designation
from starqr.services.plaques import normalise
from starqr.services.profile_records import (
    archive as _archive,
    commitments as _commitments,
    iso as _iso,
    latest_stars as _latest_stars,
    live as _live,
    notice as _notice,
    number as _number,
    objections as _objections,
    stars_ref as _stars_ref,
)

PUBLISHED_STATES = ("notice", "final")
LIVE_STATES = ("draft", "scheduled")
LIVE_ENTRIES_SHOWN = 12  # the HTML lists the newest entries; the JSON carries them all
PRIVATE_CATEGORIES = ("special",)  # 特殊: old or ill


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
        replacement = (
            PlaqueCode.get_or_none(PlaqueCode.id == replacement.replaced_by_id) if replacement.replaced_by_id else None
        )
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


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _party_age(member, branch, today):
    try:
        _, rubric = rubrics.current_rubric(rubrics.member_rubric_key(branch))
    except (LookupError, rating.RubricError):
        rubric = None
    return rating_inputs.party_age_years(member, today, rubric)


def _periods():
    """(all periods oldest first, published ones, the live one or None) in one query."""
    periods = list(
        RatingPeriod.select().order_by(RatingPeriod.year, fn.COALESCE(RatingPeriod.quarter, 0), RatingPeriod.id)
    )
    published = [p for p in periods if p.state in PUBLISHED_STATES]
    live = [p for p in periods if p.state in LIVE_STATES and (not published or p.year >= published[-1].year)]
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
    query = (
        PlaqueCode.select(PlaqueCode.subject_kind, PlaqueCode.subject_id, PlaqueCode.code)
        .where(where, PlaqueCode.status == "active")
        .tuples()
    )
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
    return {
        "name_zh": organisation.name_zh,
        "name_mn": organisation.name_mn,
        "level": organisation.level,
        "code": codes.get((ORGANISATION, organisation.id)),
    }


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
    posts = (
        [
            {"title": p.title, "duties": p.duties, "since": _iso(p.since)}
            for p in Post.select().where(Post.member == member, Post.active == True).order_by(Post.id)  # noqa: E712
        ]
        if on_roll
        else []
    )
    archive = _archive(MEMBER, member.id, published)
    category = rubrics.rating_category(member.category, member.exempt)
    live = (
        _live(MEMBER, member.id, live_period, rubrics.member_rubric_key(branch), category, today)
        if member.active
        else None
    )
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
    children = list(
        Organisation.select()
        .where(Organisation.parent == organisation)
        .order_by(Organisation.sort_order, Organisation.id)
    )
    is_branch = organisation.level == "branch"
    members = []
    if is_branch:
        members = list(
            Member.select(Member.id, Member.name_zh, Member.name_mn, Member.party_post, Member.category)
            .where(Member.branch == organisation, Member.active == True)  # noqa: E712
            .order_by(Member.party_post.is_null(), Member.id)
        )
        member_count = len(members)
    else:
        # the maintained per-branch counts (m0015_b), not a count of the region's members
        member_count = int(
            BranchMemberCount.select(fn.COALESCE(fn.SUM(BranchMemberCount.members), 0))
            .join(Organisation, on=(Organisation.id == BranchMemberCount.branch_id))
            .where(Organisation.path.startswith(organisation.path))
            .scalar()
            or 0
        )
    codes = _codes([o.id for o in chain] + [c.id for c in children], [m.id for m in members])
    member_stars = _latest_stars(MEMBER, [m.id for m in members], latest_period)
    child_stars = _latest_stars(ORGANISATION, [c.id for c in children], latest_period)

    archive = _archive(ORGANISATION, organisation.id, published) if is_branch else []
    live = (
        _live(ORGANISATION, organisation.id, live_period, rubrics.organisation_rubric_key(organisation), None, today)
        if is_branch
        else None
    )
    # Star distribution of every branch below a higher-level organisation, in the latest period.
    distribution = None
    if not is_branch and latest_period is not None:
        branch_ids = Organisation.select(Organisation.id).where(
            Organisation.path.startswith(organisation.path), Organisation.level == "branch"
        )
        rows = (
            Rating.select(Rating.stars, Rating.max_stars, fn.COUNT(Rating.id))
            .where(
                Rating.period == latest_period,
                Rating.subject_kind == ORGANISATION,
                Rating.published == True,
                Rating.supersedes.is_null(),  # noqa: E712
                Rating.subject_id.in_(branch_ids),
            )
            .group_by(Rating.stars, Rating.max_stars)
            .order_by(Rating.max_stars.desc(), Rating.stars.desc())
            .tuples()
        )
        distribution = {
            "period": latest_period.name,
            "rows": [{"stars": s, "max_stars": m, "count": n} for s, m, n in rows],
        }
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
        "rubric": (
            archive[-1]["rubric"]
            if archive
            else rubrics.latest_version(rubrics.organisation_rubric_key(organisation)).name
            if is_branch
            else None
        ),
        "commitments": _commitments(
            ORGANISATION,
            organisation.id,
            sorted({today.year, today.year - 1} | ({live_period.year} if live_period else set())),
        ),
        "live": live,
        "latest": archive[-1] if archive else None,
        "archive": archive,
        "notice": _notice(archive, published) if is_branch else None,
        "objections": _objections(ORGANISATION, organisation.id),
        "members_period": latest_period.name if latest_period else None,
        "members": [
            {
                "name_zh": m.name_zh,
                "name_mn": m.name_mn,
                "party_post": m.party_post,
                "code": codes.get((MEMBER, m.id)),
                "rating": _stars_ref(member_stars.get(m.id)),
            }
            for m in members
        ],
        "children": [dict(_org_ref(c, codes), rating=_stars_ref(child_stars.get(c.id))) for c in children],
        "distribution": distribution,
        # 比武争星 rankings and the 整乡推进示范苏木镇 designation (services/contest_results.py, services/town_designation.py)
        "contests": contest_results.public_results(organisation.id) if is_branch else [],
        "town_designation": town_designation.town_designation(organisation) if organisation.level == "town" else None,
        "as_of": today.isoformat(),
    }
