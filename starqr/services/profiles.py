"""Public profiles of members and organisations: what a scan shows, as plain data.

This module is the single source of the public page and of its JSON twin. It reads
only fields that are public (never MemberPrivate, never an objection's contact) and
returns dicts of strings, numbers, lists and None, so the HTML template and
``json.dumps`` render the very same data.

Every builder runs a fixed number of queries whatever the number of members, periods
or ledger entries (tests/test_public_queries.py holds them to it).
"""

import datetime

from starqr import rating
from starqr.models import MEMBER, ORGANISATION, PlaqueCode
from starqr.services import rating_inputs, rubrics
from starqr.services.plaques import normalise
from starqr.services.profile_loader import DIRECT
from starqr.services.profile_records import (
    archive as _archive,
    commitments as _commitments,
    iso as _iso,
    live as _live,
    notice as _notice,
    objections as _objections,
    stars_ref as _stars_ref,
)
from starqr.services.star_reasons import number as _number

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


def profile_for(plaque, today=None, loader=DIRECT):
    """The public profile of an active plaque's subject, or None if the subject is gone.

    LOADER answers the profile's questions of the database (services/profile_loader.py):
    one query each for a scan, a few set-based queries per chunk for the batch builder."""
    today = today or datetime.date.today()
    if plaque.subject_kind == MEMBER:
        member = loader.member(plaque.subject_id)
        return member_profile(member, plaque, today, loader) if member else None
    organisation = loader.organisation(plaque.subject_id)
    return organisation_profile(organisation, plaque, today, loader) if organisation else None


# ---------------------------------------------------------------- small helpers


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _party_age(member, branch, today, loader):
    try:
        _, rubric = loader.current_rubric(rubrics.member_rubric_key(branch))
    except (LookupError, rating.RubricError):
        rubric = None
    return rating_inputs.party_age_years(member, today, rubric)


def _org_ref(organisation, codes):
    return {
        "name_zh": organisation.name_zh,
        "name_mn": organisation.name_mn,
        "level": organisation.level,
        "code": codes.get((ORGANISATION, organisation.id)),
    }


# ---------------------------------------------------------------- members


def member_profile(member, plaque, today=None, loader=DIRECT):
    """The public profile of MEMBER, scanned through PLAQUE."""
    today = today or datetime.date.today()
    branch = loader.branch_of(member)  # one query
    chain = loader.chain(branch)
    periods, published, live_period = loader.periods()
    codes = loader.codes([o.id for o in chain])
    # A member who left the roll keeps only name, branch and the published archive in public:
    # why they left (death, expulsion, transfer) is not the public's business.
    on_roll = bool(member.active)
    posts = (
        [{"title": p.title, "duties": p.duties, "since": _iso(p.since)} for p in loader.posts(member)]
        if on_roll
        else []
    )
    archive = _archive(MEMBER, member.id, published, loader)
    category = rubrics.rating_category(member.category, member.exempt)
    live = (
        _live(MEMBER, member.id, live_period, rubrics.member_rubric_key(branch), category, today, loader)
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
        "years_of_membership": _party_age(member, branch, today, loader),
        "party_post": member.party_post,
        "exempt": bool(member.exempt),
        "active": on_roll,
        "posts": posts,
        "commitments": _commitments(MEMBER, member.id, years, loader) if on_roll else [],
        "live": live,
        "latest": archive[-1] if archive else None,
        "archive": archive,
        "notice": _notice(archive, published, loader),
        "objections": _objections(MEMBER, member.id, loader),
        "honours": _lines(member.honours) if on_roll else [],
        "volunteer_service": _lines(member.volunteer_service) if on_roll else [],
        "volunteer_hours": (member.volunteer_hours or 0) if on_roll else 0,
        "as_of": today.isoformat(),
    }


# ---------------------------------------------------------------- organisations


def organisation_profile(organisation, plaque, today=None, loader=DIRECT):
    """The public profile of ORGANISATION (a branch, or a higher level), scanned through PLAQUE."""
    today = today or datetime.date.today()
    chain = loader.chain(organisation)
    periods, published, live_period = loader.periods()
    latest_period = published[-1] if published else None
    children = loader.children(organisation)
    is_branch = organisation.level == "branch"
    members = []
    if is_branch:
        members = loader.branch_members(organisation)
        member_count = len(members)
    else:
        # the maintained per-branch counts (m0015_b), not a count of the region's members
        member_count = loader.member_count(organisation)
    codes = loader.codes([o.id for o in chain] + [c.id for c in children], [m.id for m in members])
    member_stars = loader.latest_stars(MEMBER, [m.id for m in members], latest_period)
    child_stars = loader.latest_stars(ORGANISATION, [c.id for c in children], latest_period)

    archive = _archive(ORGANISATION, organisation.id, published, loader) if is_branch else []
    live = (
        _live(
            ORGANISATION,
            organisation.id,
            live_period,
            rubrics.organisation_rubric_key(organisation),
            None,
            today,
            loader,
        )
        if is_branch
        else None
    )
    # Star distribution of every branch below a higher-level organisation, in the latest period.
    distribution = None
    if not is_branch and latest_period is not None:
        distribution = {
            "period": latest_period.name,
            "rows": [
                {"stars": s, "max_stars": m, "count": n} for s, m, n in loader.distribution(organisation, latest_period)
            ],
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
            else loader.latest_version(rubrics.organisation_rubric_key(organisation)).name
            if is_branch
            else None
        ),
        "commitments": _commitments(
            ORGANISATION,
            organisation.id,
            sorted({today.year, today.year - 1} | ({live_period.year} if live_period else set())),
            loader,
        ),
        "live": live,
        "latest": archive[-1] if archive else None,
        "archive": archive,
        "notice": _notice(archive, published, loader) if is_branch else None,
        "objections": _objections(ORGANISATION, organisation.id, loader),
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
        "contests": loader.contests(organisation.id) if is_branch else [],
        "town_designation": loader.town_designation(organisation) if organisation.level == "town" else None,
        "as_of": today.isoformat(),
    }
