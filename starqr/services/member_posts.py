"""Posts (设岗定责) of a member: add and edit, audited."""

from starqr.db import database
from starqr.errors import N_
from starqr.models import MEMBER, Post
from starqr.services import audit, revision
from starqr.services.member_rules import MemberError, POST_FIELDS, clean_fields, refusing


@refusing
def add_post(actor, member, fields):
    data = clean_fields(fields, POST_FIELDS)
    if not data.get("title") or not data.get("duties"):
        raise MemberError(N_("请填写岗位名称和职责。"))
    data["active"] = data.get("active", True) is not False
    with database.atomic():
        post = Post.create(member=member, **data)
        audit.record(actor, "post.add", post, None, audit.snapshot(post))
        revision.bump(member)
    return post


@refusing
def edit_post(actor, post, fields):
    data = clean_fields(fields, POST_FIELDS)
    if "active" in data:
        data["active"] = bool(data["active"])
    with database.atomic():
        before = audit.snapshot(post, POST_FIELDS)
        for name, value in data.items():
            if name in ("title", "duties") and not value:
                raise MemberError(N_("请填写岗位名称和职责。"))
            setattr(post, name, value)
        post.save()
        audit.record(actor, "post.edit", post, *audit.changes(before, audit.snapshot(post, POST_FIELDS)))
        revision.bump((MEMBER, post.member_id))
    return post
