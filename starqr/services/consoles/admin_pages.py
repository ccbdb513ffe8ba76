"""What the administrators' pages read: the tree, rubric versions, periods, objections, audit."""

from collections import Counter

from starqr import phrases
from starqr.models import ApiToken, LedgerEntry, Member, Objection, Organisation, PlaqueCode
from starqr.models import Rating, RubricVersion
from starqr.services import access, administration, period_rules, plaques, ratings
from starqr.services.consoles import subject_rows
from starqr.services.consoles.standing import published_period


def tree_page(current, member_scope, organisation_scope, search):
    """Children, ancestors (all; the view keeps those it may show), counts, members and search hits."""
    found_orgs, found_members = [], []
    if search:
        found_orgs = administration.search_organisations(organisation_scope, search)
        found_members = administration.search_members(member_scope.where(Member.active == True), search)
    order = (Organisation.sort_order, Organisation.id)
    if current is None:
        children = list(Organisation.select().where(Organisation.parent.is_null()).order_by(*order))
        chain = []
    else:
        children = list(Organisation.select().where(Organisation.parent == current).order_by(*order))
        ids = [int(p) for p in current.path.strip("/").split("/") if p]
        by_id = {o.id: o for o in Organisation.select().where(Organisation.id.in_(ids))}
        chain = [by_id[i] for i in ids if i in by_id]
    members = []
    if current is not None and current.level == "branch":
        members = list(
            Member.select().where(Member.branch == current, Member.active == True).order_by(Member.id).limit(500)
        )
    branch_of = {}
    if found_members:
        branch_of = {
            o.id: o for o in Organisation.select().where(Organisation.id.in_({m.branch_id for m in found_members}))
        }
    return {
        "children": children,
        "chain": chain,
        "counts": administration.children_counts([c.id for c in children]) if children else {},
        "members": members,
        "found_orgs": found_orgs,
        "found_members": found_members,
        "branch_of": branch_of,
    }


def rubric_versions(key):
    return list(RubricVersion.select().where(RubricVersion.key == key).order_by(RubricVersion.version.desc()))


def rubric_version(key, version):
    return RubricVersion.get_or_none(RubricVersion.key == key, RubricVersion.version == version)


def periods():
    """Every rating period, newest first, as a list."""
    return list(period_rules.all_periods())


def objection_org(objection):
    """(the organisation an objection is filed under, its subject)."""
    _kind, _subject_id, subject = administration.objection_subject(objection)
    return access.subject_branch(subject), subject


def objections(actor, status, limit=200):
    """(objection, subject, organisation) of STATUS on plaques of subjects ACTOR may see, newest
    first: the scope is part of the query, so the limit counts only what ACTOR may see."""
    query = Objection.select(Objection, PlaqueCode).join(PlaqueCode).where(Objection.status == status)
    in_scope = access.subject_filter(actor, PlaqueCode.subject_kind, PlaqueCode.subject_id)
    if in_scope is not None:
        query = query.where(in_scope)
    rows = list(query.order_by(Objection.created_at.desc(), Objection.id.desc()).limit(limit))
    subjects = subject_rows.by_key({(row.plaque.subject_kind, row.plaque.subject_id) for row in rows})
    shown = []
    for row in rows:
        subject = subjects[(row.plaque.subject_kind, row.plaque.subject_id)]
        shown.append((row, subject, access.subject_branch(subject)))
    return shown


def objection(objection_id):
    return Objection.get_or_none(Objection.id == objection_id)


def plaque_with_subject(code):
    """(plaque, subject, organisation) for a code, or (None, None, None)."""
    found = PlaqueCode.get_or_none(PlaqueCode.code == plaques.normalise(code))
    if found is None:
        return None, None, None
    subject = plaques.subject_of(found)
    return found, subject, access.subject_branch(subject)


def user_token(user, token_id):
    return ApiToken.get_or_none(ApiToken.id == token_id, ApiToken.user == user.id)


def towns():
    """Banners and towns, for filters that narrow to one part of the tree."""
    return list(
        Organisation.select().where(Organisation.level.in_(("banner", "town"))).order_by(Organisation.path).limit(300)
    )


def objection_context(objection, limit=100):
    """The subject's current result, the ledger entries the objection is about, the deadline.

    The entries are the subject's in the objection's period (newest first); the result is
    the newest published rating of that period (a correction wins).
    """

    plaque = objection.plaque
    period = objection.period or published_period()
    result, entries = None, []
    if period is not None:
        result = (
            Rating.select()
            .where(
                Rating.period == period,
                Rating.subject_kind == plaque.subject_kind,
                Rating.subject_id == plaque.subject_id,
                Rating.published == True,
            )
            .order_by(Rating.id.desc())
            .first()
        )
        entries = phrases.read_fields(
            list(
                LedgerEntry.select()
                .where(
                    LedgerEntry.period == period,
                    LedgerEntry.subject_kind == plaque.subject_kind,
                    LedgerEntry.subject_id == plaque.subject_id,
                )
                .order_by(LedgerEntry.id.desc())
                .limit(limit)
            ),
            "reason",
        )
    return {
        "period": period,
        "result": result,
        "entries": entries,
        "deadline": period.notice_ends_at if period is not None and period.state == "notice" else None,
    }


def distribution_by_rubric(period, published=None):
    """[{"key", "name", "max_stars", "counts": Counter(stars), "total"}], one per rubric, the widest
    scheme first: ten-star villages never share an axis with five-star schemes."""

    if published is None:
        published = period.state in period_rules.PUBLISHED

    query = (
        Rating.select(
            Rating.subject_kind,
            Rating.subject_id,
            Rating.id,
            Rating.stars,
            Rating.max_stars,
            RubricVersion.key,
            RubricVersion.name,
        )
        .join(RubricVersion)
        .where(Rating.period == period, Rating.published == bool(published))
        .order_by(Rating.id)
        .tuples()
    )
    newest = {}
    for kind, subject_id, _rating_id, stars, max_stars, key, name in query.iterator():
        newest[(kind, subject_id)] = (key, name, stars, max_stars)  # a correction supersedes the earlier one
    charts = {}
    for key, name, stars, max_stars in newest.values():
        chart = charts.setdefault(
            key, {"key": key, "name": name, "max_stars": max_stars, "counts": Counter(), "total": 0}
        )
        chart["counts"][stars] += 1
        chart["total"] += 1
        chart["max_stars"] = max(chart["max_stars"], max_stars)
    return sorted(charts.values(), key=lambda c: (-c["max_stars"], c["key"]))


def period_holds(period):
    """What holds the period's notice: open objections, and the subjects held out of the rating
    (ratings.held_subjects)."""

    open_objections = list(
        Objection.select(Objection, PlaqueCode)
        .join(PlaqueCode)
        .where(Objection.period == period, Objection.status == "open")
        .order_by(Objection.created_at)
        .limit(200)
    )
    return {"objections": open_objections, "held": ratings.held_subjects(period)}
