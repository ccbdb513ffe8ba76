"""Subjects named by (kind, id), loaded together: the consoles' lists of plaques and objections."""

from starqr.models import MEMBER, ORGANISATION, Member, Organisation


def by_key(keys):
    """{(kind, id): member (its branch joined) or organisation} for KEYS, in at most two queries.
    A key whose subject is gone is left out."""
    member_ids = sorted({i for kind, i in keys if kind == MEMBER})
    organisation_ids = sorted({i for kind, i in keys if kind == ORGANISATION})
    found = {}
    if member_ids:
        query = Member.select(Member, Organisation).join(Organisation).where(Member.id.in_(member_ids))
        found.update(((MEMBER, member.id), member) for member in query)
    if organisation_ids:
        query = Organisation.select().where(Organisation.id.in_(organisation_ids))
        found.update(((ORGANISATION, organisation.id), organisation) for organisation in query)
    return found
