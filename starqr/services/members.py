"""Use cases for a branch's members, posts, commitments, evidence and points events.

Called by the console views and the API. Every function takes the acting user first,
runs in one transaction, writes an audit entry with the values before and after, and
bumps the public revision when what a scan page shows has changed. Nothing is deleted:
a member leaves the roll (retire) or moves (transfer); a ledger entry is reversed by a
linked correction.
"""

import datetime

from starqr import validation
from starqr.db import database
from starqr.errors import N_
from starqr.models import MEMBER, ORGANISATION, Member, MemberPrivate, Post
from starqr.services import access, audit, plaques, revision
from starqr.services.member_rules import (
    BRANCH_FIELDS,
    MEMBER_FIELDS,
    PRIVATE_FIELDS,
    MemberError,
    clean_fields,
    private_audit,
    refusing,
)


# ---------------------------------------------------------------- branch


@refusing
def edit_branch(actor, branch, fields):
    data = clean_fields(fields, BRANCH_FIELDS)
    with database.atomic():
        before = audit.snapshot(branch, BRANCH_FIELDS)
        for name, value in data.items():
            setattr(branch, name, value)
        branch.save()
        after = audit.snapshot(branch, BRANCH_FIELDS)
        audit.record(actor, "branch.edit", branch, *audit.changes(before, after))
        revision.bump(branch)
    return branch


# ---------------------------------------------------------------- members


def _save_private(member, private):
    row = MemberPrivate.get_or_none(MemberPrivate.member == member)
    before = audit.snapshot(row, PRIVATE_FIELDS) if row else {k: None for k in PRIVATE_FIELDS}
    data = clean_fields(private or {}, PRIVATE_FIELDS)
    if row is None:
        if not any(data.values()):
            return before, before
        row = MemberPrivate(member=member)
        for name, value in data.items():
            setattr(row, name, value)
        row.save(force_insert=True)
    else:
        for name, value in data.items():
            setattr(row, name, value)
        row.save()
    return before, audit.snapshot(row, PRIVATE_FIELDS)


@refusing
def add_member(actor, branch, fields, private=None, issue_badge=True):
    """A new member on BRANCH's roll, with a badge code issued at once."""
    if branch.level != "branch":
        raise MemberError(N_("党员只能加入党支部。"))
    data = clean_fields(fields, MEMBER_FIELDS)
    if not data.get("name_zh"):
        raise MemberError(N_("请填写姓名。"))
    data.setdefault("category", "ordinary")
    data.setdefault("status", "full")
    data["volunteer_hours"] = data.get("volunteer_hours") or 0
    data["exempt"] = bool(data.get("exempt"))
    with database.atomic():
        member = Member.create(branch=branch, **data)
        _before_private, after_private = _save_private(member, private)
        plaque = plaques.issue(MEMBER, member.id, actor=audit.actor_name(actor)) if issue_badge else None
        after = audit.snapshot(member, ("branch",) + MEMBER_FIELDS)
        after["private"] = private_audit({}, after_private)
        if plaque:
            after["badge"] = plaque.code
        audit.record(actor, "member.add", member, None, after)
        revision.bump(member)
    return member


@refusing
def edit_member(actor, member, fields, private=None):
    data = clean_fields(fields, MEMBER_FIELDS)
    if "name_zh" in data and not data["name_zh"]:
        raise MemberError(N_("请填写姓名。"))
    if "volunteer_hours" in data:
        data["volunteer_hours"] = data["volunteer_hours"] or 0
    if "exempt" in data:
        data["exempt"] = bool(data["exempt"])
    with database.atomic():
        before = audit.snapshot(member, MEMBER_FIELDS)
        for name, value in data.items():
            setattr(member, name, value)
        member.save()
        private_before, private_after = _save_private(member, private) if private is not None else ({}, {})
        before, after = audit.changes(before, audit.snapshot(member, MEMBER_FIELDS))
        changed_private = private_audit(private_before, private_after)
        if changed_private:
            after["private"] = changed_private
        audit.record(actor, "member.edit", member, before, after)
        revision.bump(member)
    return member


@refusing
def transfer_member(actor, member, new_branch, reason):
    """Move a member to another branch; their badge code stays valid and follows them."""
    if not member.active:
        raise MemberError(N_("该党员已移出名册，不能转接。"))
    if new_branch.level != "branch":
        raise MemberError(N_("只能转入党支部。"))
    if new_branch.id == member.branch_id:
        raise MemberError(N_("转入支部与当前支部相同。"))
    reason = validation.text(reason, "reason", validation.N_("转接原因"), max_length=500)
    if not (reason or "").strip():
        raise MemberError(N_("请填写转接原因。"))
    with database.atomic():
        old_branch_id = member.branch_id
        member.branch = new_branch
        member.save()
        audit.record(
            actor,
            "member.transfer",
            member,
            {"branch": old_branch_id},
            {"branch": new_branch.id, "reason": reason.strip()},
        )
        revision.bump(member, (ORGANISATION, old_branch_id))
    return member


@refusing
def retire_member(actor, member, left_on, reason):
    """Take a member off the active roll. The record, ledger and ratings stay."""
    if not member.active:
        raise MemberError(N_("该党员已移出名册。"))
    reason = validation.text(reason, "reason", validation.N_("移出原因"), max_length=120)
    if not (reason or "").strip():
        raise MemberError(N_("请填写原因。"))
    with database.atomic():
        before = audit.snapshot(member, ("active", "left_on", "left_reason"))
        member.active = False
        member.left_on = left_on or datetime.date.today()
        member.left_reason = reason
        member.save()
        Post.update(active=False).where(Post.member == member, Post.active == True).execute()  # noqa: E712
        audit.record(
            actor, "member.retire", member, before, audit.snapshot(member, ("active", "left_on", "left_reason"))
        )
        revision.bump(member)
    return member


def find(actor, branch_id=None, text=""):
    """A query of the members (active or not) ACTOR may see, of BRANCH_ID, whose Chinese or
    Mongolian name contains TEXT; by id."""
    query = access.members(actor)
    if branch_id is not None:
        query = query.where(Member.branch == branch_id)
    text = (text or "").strip()
    if text:
        query = query.where(Member.name_zh.contains(text) | Member.name_mn.contains(text))
    return query.order_by(Member.id)


def consented_photo(member_id):
    """The stored photo path of an active member who consented to show it, else None."""
    member = Member.get_or_none(Member.id == member_id)
    if member is None or not member.active or not member.consent_photo or not member.photo_path:
        return None
    return member.photo_path
