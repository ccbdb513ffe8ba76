"""What the secretary's pages read: a branch, a member, their commitments, posts and entries."""

from starqr.models import (
    MEMBER,
    ORGANISATION,
    Commitment,
    LedgerEntry,
    Member,
    MemberPrivate,
    Organisation,
    PlaqueCode,
    Post,
)
from starqr.services import entry_photos, points_events
from starqr.services import plaques as plaque_service
from starqr.services.consoles import standing


def search_branches(query, search, limit=100):
    """QUERY (branches in scope) narrowed to names containing SEARCH, in tree order."""
    if search:
        query = query.where(Organisation.name_zh.contains(search) | Organisation.name_mn.contains(search))
    return list(query.order_by(Organisation.path).limit(limit))


def item_names(subject):
    _version, rubric = points_events.subject_rubric(subject)
    return {item.id: item.name for item in rubric.items}


def corrected_ids(entries):
    """Ids among ENTRIES that a later entry corrects."""
    ids = [e.id for e in entries]
    if not ids:
        return set()
    return {row.corrects_id for row in LedgerEntry.select(LedgerEntry.corrects).where(LedgerEntry.corrects.in_(ids))}


def commitments_of(kind, subject_id):
    return list(
        Commitment.select()
        .where(Commitment.subject_kind == kind, Commitment.subject_id == subject_id)
        .order_by(Commitment.year.desc(), Commitment.id)
    )


def branch_page(branch, show_all=False):
    query = Member.select().where(Member.branch == branch)
    if not show_all:
        query = query.where(Member.active == True)
    members = list(query.order_by(Member.active.desc(), Member.name_zh))
    retired = Member.select().where(Member.branch == branch, Member.active == False).count() if not show_all else 0
    codes = {
        p.subject_id: p.code
        for p in PlaqueCode.select().where(
            PlaqueCode.subject_kind == MEMBER,
            PlaqueCode.status == "active",
            PlaqueCode.subject_id.in_([m.id for m in members] or [0]),
        )
    }
    entries = points_events.entries_for(branch, limit=20)
    return {
        "members": members,
        "retired": retired,
        "codes": codes,
        "branch_code": plaque_service.active_code(ORGANISATION, branch.id),
        "commitments": commitments_of(ORGANISATION, branch.id),
        "entries": entries,
        "corrected": corrected_ids(entries),
        "item_names": item_names(branch),
        "photos": _photos(entries),
    }


def _photos(entries):
    return entry_photos.photos_for([e.id for e in entries])


def member_page(member, page=1, per_page=25, year=None, item=None):
    """Posts, commitments (with due dates), private details, and one page of the ledger."""

    entries, total, years, items = standing.ledger_page(MEMBER, member.id, page, per_page, year, item)
    return {
        "posts": list(Post.select().where(Post.member == member).order_by(Post.active.desc(), Post.id)),
        "commitments": commitments_of(MEMBER, member.id),
        "private": private_of(member),
        "entries": entries,
        "entry_total": total,
        "entry_years": years,
        "entry_items": items,
        "corrected": corrected_ids(entries),
        "photos": entry_photos.photos_for([e.id for e in entries]),
        "plaque": plaque_service.active_code(MEMBER, member.id),
        "item_names": item_names(member),
    }


def private_of(member):
    return MemberPrivate.get_or_none(MemberPrivate.member == member)


def transfer_targets(branches, member):
    """Branches (a query of those in scope) a member may move to: every one but their own."""
    return [b for b in branches.order_by(Organisation.path) if b.id != member.branch_id]


def post(post_id):
    return Post.get_or_none(Post.id == post_id)


def commitment(commitment_id):
    return Commitment.get_or_none(Commitment.id == commitment_id)


def ledger_entry(entry_id):
    return LedgerEntry.get_or_none(LedgerEntry.id == entry_id)


def plaque(code):
    return PlaqueCode.get_or_none(PlaqueCode.code == plaque_service.normalise(code))
