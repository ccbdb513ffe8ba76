"""Where a visitor can go from a plaque that no longer shows anything: the nearest organisation page."""

from starqr.models import MEMBER, ORGANISATION, Member, Organisation, PlaqueCode


def onward(plaque):
    """{'name_zh', 'name_mn', 'code'} of the nearest organisation above PLAQUE's subject with an active code.

    A revoked member badge leads to the member's branch; an organisation's plaque to its
    parent. None when nothing above has an active plaque (the page then offers the code box).
    """
    if plaque.subject_kind == MEMBER:
        member = Member.get_or_none(Member.id == plaque.subject_id)
        start = Organisation.get_or_none(Organisation.id == member.branch_id) if member else None
    else:
        organisation = Organisation.get_or_none(Organisation.id == plaque.subject_id)
        start = (
            Organisation.get_or_none(Organisation.id == organisation.parent_id)
            if organisation and organisation.parent_id
            else None
        )
    if start is None:
        return None
    ids = [int(part) for part in (start.path or "").strip("/").split("/") if part]
    if start.id not in ids:
        ids.append(start.id)
    codes = dict(
        PlaqueCode.select(PlaqueCode.subject_id, PlaqueCode.code)
        .where(PlaqueCode.subject_kind == ORGANISATION, PlaqueCode.subject_id.in_(ids), PlaqueCode.status == "active")
        .tuples()
    )
    for organisation_id in reversed(ids):
        if organisation_id in codes:
            found = start if organisation_id == start.id else Organisation.get_by_id(organisation_id)
            return {"name_zh": found.name_zh, "name_mn": found.name_mn, "code": codes[organisation_id]}
    return None
