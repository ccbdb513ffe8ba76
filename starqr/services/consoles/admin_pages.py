"""What the administrators' pages read: the tree, rubric versions, periods, objections, audit."""
from starqr.models import (
    MEMBER,
    ApiToken,
    AuditLog,
    Member,
    Objection,
    Organisation,
    PlaqueCode,
    RatingPeriod,
    RubricVersion,
)
from starqr.services import administration, plaques


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
        members = list(Member.select().where(Member.branch == current, Member.active == True)
                       .order_by(Member.id).limit(500))
    branch_of = {}
    if found_members:
        branch_of = {o.id: o for o in Organisation.select().where(
            Organisation.id.in_({m.branch_id for m in found_members}))}
    return {"children": children, "chain": chain,
            "counts": administration.children_counts([c.id for c in children]) if children else {},
            "members": members, "found_orgs": found_orgs, "found_members": found_members, "branch_of": branch_of}


def rubric_versions(key):
    return list(RubricVersion.select().where(RubricVersion.key == key).order_by(RubricVersion.version.desc()))


def rubric_version(key, version):
    return RubricVersion.get_or_none(RubricVersion.key == key, RubricVersion.version == version)


def periods():
    return list(RatingPeriod.select().order_by(RatingPeriod.year.desc(), RatingPeriod.id.desc()))


def period(period_id):
    return RatingPeriod.get_or_none(RatingPeriod.id == period_id)


def objection_org(objection):
    """(the organisation an objection is filed under, its subject)."""
    kind, _subject_id, subject = administration.objection_subject(objection)
    return (subject.branch if kind == MEMBER else subject), subject


def objections(status, visible, limit=200):
    """(objection, subject, organisation) of STATUS, newest first, where VISIBLE(organisation)."""
    rows = list(Objection.select(Objection, PlaqueCode).join(PlaqueCode)
                .where(Objection.status == status).order_by(Objection.created_at.desc()).limit(2 * limit))
    shown = []
    for row in rows:
        org, subject = objection_org(row)
        if visible(org):
            shown.append((row, subject, org))
    return shown[:limit]


def objection(objection_id):
    return Objection.get_or_none(Objection.id == objection_id)


def plaque_with_subject(code):
    """(plaque, subject, organisation) for a code, or (None, None, None)."""
    found = PlaqueCode.get_or_none(PlaqueCode.code == plaques.normalise(code))
    if found is None:
        return None, None, None
    subject = plaques.subject_of(found)
    return found, subject, (subject.branch if found.subject_kind == MEMBER else subject)


def audit_rows(actor=None, action=None, page=1, per_page=100):
    """A page of audit entries, newest first, and whether there are more."""
    query = AuditLog.select()
    if actor:
        query = query.where(AuditLog.actor == actor)
    if action:
        query = query.where(AuditLog.action.startswith(action))
    rows = list(query.order_by(AuditLog.id.desc()).offset((page - 1) * per_page).limit(per_page + 1))
    return rows[:per_page], len(rows) > per_page


def user_token(user, token_id):
    return ApiToken.get_or_none(ApiToken.id == token_id, ApiToken.user == user.id)
