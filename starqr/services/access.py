"""Who may see and change what: the one module of access rules, for every door.

USAGE (console, API, CLI, jobs, services alike; no Flask here):

    from starqr.services import access

    actor = access.actor_for(user)            # a User row (console: auth.current_actor())
    actor = access.system("cli")              # CLI, scheduler, demo: sees everything, audited as "cli"
    access.can_view(actor, organisation)      # -> bool; can_manage for writes
    access.organisations(actor)               # query of every visible organisation (branches, members too)
    access.member_ids(actor)                  # subquery, for `.in_(...)`
    access.subject_filter(actor, Model.subject_kind, Model.subject_id)   # expression or None (all)
    branch = access.require_organisation(actor, branch_id, write=True)   # row, or raises
    member = access.require_member(actor, member_id)                     #   errors.NotFound (404)
    subject = access.require_subject(actor, kind, subject_id)            #   errors.Forbidden (403)

A service that needs scope takes an Actor (not a username, not a path string) and calls
these itself; views and the API only translate NotFound/Forbidden into 404/403. An
actor is a small frozen value: it is safe to keep for a request and cheap to rebuild
in a background job from the user id (`actor_for_user_id`).

Roles: admin (everything), org_admin (one subtree, may write), secretary (own branch only,
may write), viewer (one subtree, read-only). Outside the scope a thing does not exist:
NotFound, never Forbidden, so ids cannot be probed.
"""

from dataclasses import dataclass

from starqr.errors import N_, Forbidden, NotFound
from starqr.models import MEMBER, ORGANISATION, ImportBatch, Member, Organisation, User, subject_kind

ADMIN, ORG_ADMIN, SECRETARY, VIEWER = "admin", "org_admin", "secretary", "viewer"
ALL_ROLES = (ADMIN, ORG_ADMIN, SECRETARY, VIEWER)
WRITERS = (ADMIN, ORG_ADMIN, SECRETARY)  # roles that may change data in their scope
ADMINISTRATORS = (ADMIN, ORG_ADMIN)  # roles that oversee a subtree


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough to apply every rule without another query."""

    id: int | None  # the User id; None for the system
    name: str  # what the audit log shows
    role: str
    organisation_id: int | None = None
    scope_path: str | None = None  # the scope root's materialised path; None: everything
    active: bool = True

    @property
    def username(self):  # audit.record and older callers read .username
        return self.name

    @property
    def sees_everything(self):
        return self.active and self.role == ADMIN


def system(name="system"):
    """The actor for the CLI, the scheduler and the demo: everything, audited under NAME."""
    return Actor(id=None, name=name, role=ADMIN)


SYSTEM = system()


def actor_for(user):
    """The Actor for a User row (an Actor passes through; None stays None)."""
    if user is None or isinstance(user, Actor):
        return user
    path = None
    if user.role != ADMIN and user.organisation_id is not None:
        path = Organisation.select(Organisation.path).where(Organisation.id == user.organisation_id).scalar()
    return Actor(
        id=user.id,
        name=user.username,
        role=user.role,
        organisation_id=user.organisation_id,
        scope_path=path,
        active=bool(user.active),
    )


def as_actor(who):
    """An Actor from what older callers pass: an Actor, a User, a name (the system under that
    name: CLI, scripts, tests) or None (the system)."""
    if who is None:
        return SYSTEM
    if isinstance(who, str):
        return system(who)
    return actor_for(who)


def actor_for_user_id(user_id, fallback_name="system"):
    """Rebuild an actor in a background job: the user as they are now, or the system for None."""
    if user_id is None:
        return system(fallback_name)
    user = User.get_or_none(User.id == user_id)
    if user is None:  # deleted since: sees nothing
        return Actor(id=user_id, name=fallback_name, role=VIEWER, active=False)
    return actor_for(user)


# ---------------------------------------------------------------- the rules


def can_view(actor, organisation):
    """May ACTOR see this organisation and what belongs to it (members, plaques, entries)?"""
    if organisation is None or actor is None or not actor.active:
        return False
    if actor.role == ADMIN:
        return True
    if actor.organisation_id is None:
        return False
    if actor.role == SECRETARY:
        return organisation.id == actor.organisation_id
    return bool(actor.scope_path) and organisation.path.startswith(actor.scope_path)


def covers_path(actor, path):
    """can_view for an organisation known only by its materialised path (bulk checks, no row)."""
    if actor is None or not actor.active:
        return False
    if actor.role == ADMIN:
        return True
    if not actor.scope_path or not path:
        return False
    if actor.role == SECRETARY:
        return path == actor.scope_path
    return path.startswith(actor.scope_path)


def can_manage(actor, organisation):
    """May ACTOR change this organisation and what belongs to it?"""
    return can_view(actor, organisation) and actor.role in WRITERS


def organisations(actor):
    """A query of every organisation ACTOR may see."""
    query = Organisation.select()
    if actor is None or not actor.active:
        return query.where(Organisation.id.is_null())
    if actor.role == ADMIN:
        return query
    if actor.organisation_id is None:
        return query.where(Organisation.id.is_null())
    if actor.role == SECRETARY:
        return query.where(Organisation.id == actor.organisation_id)
    return query.where(Organisation.path.startswith(actor.scope_path or "/nowhere/"))


def branches(actor):
    return organisations(actor).where(Organisation.level == "branch")


def organisation_ids(actor):
    """A subquery of visible organisation ids, for `.in_(...)`."""
    return organisations(actor).select(Organisation.id)


def members(actor):
    """A query of every member (active or not) ACTOR may see."""
    query = Member.select()
    if actor is not None and actor.sees_everything:
        return query
    return query.where(Member.branch.in_(organisation_ids(actor)))


def member_ids(actor):
    return members(actor).select(Member.id)


def subject_filter(actor, kind_field, id_field):
    """An expression keeping rows whose (kind, id) subject ACTOR may see; None when all are visible."""
    if actor is not None and actor.sees_everything:
        return None
    return ((kind_field == MEMBER) & id_field.in_(member_ids(actor))) | (
        (kind_field == ORGANISATION) & id_field.in_(organisation_ids(actor))
    )


def import_batches(actor):
    """A query of the import batches ACTOR may see: all of them for an administrator, otherwise
    the ones ACTOR queued."""
    query = ImportBatch.select()
    if actor is not None and actor.sees_everything:
        return query
    return query.where(ImportBatch.created_by == (actor.name if actor is not None else None))


def scope_root(actor):
    """The organisation at the top of ACTOR's scope, or None for everything."""
    if actor is None or actor.role == ADMIN or actor.organisation_id is None:
        return None
    return Organisation.get_or_none(Organisation.id == actor.organisation_id)


# ---------------------------------------------------------------- rows, or NotFound / Forbidden


def _check(actor, organisation, write, missing):
    if not can_view(actor, organisation):
        raise missing
    if write and not can_manage(actor, organisation):
        raise Forbidden()


def require_organisation(actor, organisation, write=False):
    """The organisation (a row or an id) if ACTOR may see it (and change it, with WRITE)."""
    if not isinstance(organisation, Organisation):
        organisation = Organisation.get_or_none(Organisation.id == organisation)
    _check(actor, organisation, write, NotFound(N_("没有这个组织"), code="organisation_not_found"))
    return organisation


def require_branch(actor, branch, write=False):
    """require_organisation for a branch; any other level does not count as found."""
    branch = require_organisation(actor, branch, write)
    if branch.level != "branch":
        raise NotFound(N_("没有这个支部"), code="branch_not_found")
    return branch


def require_member(actor, member, write=False):
    """The member (a row or an id) if their branch is in ACTOR's scope."""
    if not isinstance(member, Member):
        member = Member.get_or_none(Member.id == member)
    _check(
        actor,
        member.branch if member is not None else None,
        write,
        NotFound(N_("没有这名党员"), code="member_not_found"),
    )
    return member


def require_subject(actor, kind, subject_id, write=False):
    """A member or an organisation named by kind and id (ledger entries, commitments, plaques)."""
    if kind == MEMBER:
        return require_member(actor, subject_id, write)
    if kind == ORGANISATION:
        return require_organisation(actor, subject_id, write)
    raise NotFound(N_("没有这个对象"), code="subject_not_found")


def require_import_batch(actor, batch_id):
    """The import batch BATCH_ID if ACTOR may see it (import_batches)."""
    batch = import_batches(actor).where(ImportBatch.id == batch_id).first()
    if batch is None:
        raise NotFound(N_("没有编号为 %(id)s 的导入"), id=batch_id)
    return batch


def subject_branch(subject):
    """The organisation whose scope a subject falls under (a member's branch, or itself)."""
    return subject.branch if subject_kind(subject) == MEMBER else subject
