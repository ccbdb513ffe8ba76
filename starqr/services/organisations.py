"""The organisation tree: create, rename, move and archive, each audited, within the actor's scope.

An archived organisation (dissolved or merged) keeps its history; its plaque answers 410
with "organisation dissolved" or "merged into …".
"""

from peewee import fn

from starqr.db import database
from starqr.errors import N_, Invalid
from starqr.models import ORGANISATION, Member, Organisation, PlaqueCode, utcnow
from starqr import phrases
from starqr.services import access, audit, page_export, plaques, revision
from starqr.services import vocabulary as words
from starqr.services.imports.tree import administrator, repath
from starqr.services.rubric_assignments import effective_rubrics, materialise

EDIT_FIELDS = ("name_zh", "name_mn", "code", "secretary_name", "venue_area_m2")


class OrganisationError(Invalid):
    """A request the rules refuse; the message is Chinese, fit to show to the user."""

    code = "organisation_invalid"


def scope_path(actor):
    """The subtree path an actor may change, or None for an administrator (or the CLI)."""
    return administrator(actor).scope_path


def _check_scope(actor, organisation, allow_root=True):
    path = scope_path(actor)
    if path is None:
        return
    if not organisation.path.startswith(path) or (not allow_root and organisation.path == path):
        raise OrganisationError(N_("「%(name)s」不在您的管理范围内。"), code="out_of_scope", name=organisation.name_zh)


def by_code(code):
    found = Organisation.get_or_none(Organisation.code == (code or "").strip())
    if found is None:
        raise OrganisationError(N_("组织编码 %(org_code)s 不存在"), code="organisation_not_found", org_code=code)
    return found


def _check_code(code, organisation=None):
    code = (code or "").strip() or None
    if code:
        query = Organisation.select().where(Organisation.code == code)
        if organisation is not None:
            query = query.where(Organisation.id != organisation.id)
        if query.exists():
            raise OrganisationError(N_("组织编码 %(org_code)s 已被使用。"), code="code_taken", org_code=code)
    return code


def _check_parent(parent, level):
    if parent.archived_at:
        raise OrganisationError(N_("「%(name)s」已撤销,不能作为上级组织。"), name=parent.name_zh)
    if words.LEVEL_DEPTH[parent.level] >= words.LEVEL_DEPTH[level]:
        raise OrganisationError(N_("「%(name)s」不能作为该层级组织的上级组织。"), name=parent.name_zh)


def create(actor, parent, level, domain, name_zh, name_mn=None, code=None, **fields):
    if level not in words.LEVEL_DEPTH or level == "banner":
        raise OrganisationError(N_("层级不正确。"))
    if domain not in words.DOMAIN_NAMES:
        raise OrganisationError(N_("领域不正确。"))
    name_zh = (name_zh or "").strip()
    if not name_zh:
        raise OrganisationError(N_("请填写组织名称。"))
    _check_scope(actor, parent)
    _check_parent(parent, level)
    code = _check_code(code)
    with database.atomic():
        organisation = Organisation.create(
            parent=parent,
            path="/",
            level=level,
            domain=domain,
            name_zh=name_zh[:120],
            name_mn=(name_mn or "").strip()[:240] or None,
            code=code,
            unit_kind=words.UNIT_KIND_BY_DOMAIN[domain] if level == "unit" else None,
            sort_order=Organisation.select().where(Organisation.parent == parent).count(),
            **{k: v for k, v in fields.items() if k in EDIT_FIELDS},
        )
        organisation.path = f"{parent.path}{organisation.id}/"
        organisation.save()
        materialise()
        plaques.issue(ORGANISATION, organisation.id, actor=audit.actor_name(actor))
        audit.record(
            actor,
            "organisation.create",
            organisation,
            None,
            audit.snapshot(organisation, ("code", "name_zh", "name_mn", "level", "domain", "parent")),
        )
        revision.bump(organisation)
    return organisation


def rename(actor, organisation, name_zh, name_mn=None, code=None, **fields):
    """New names in both scripts (and the code or details, if given)."""
    name_zh = (name_zh or "").strip()
    if not name_zh:
        raise OrganisationError(N_("请填写组织名称。"))
    _check_scope(actor, organisation)
    changes = {"name_zh": name_zh[:120], "name_mn": (name_mn or "").strip()[:240] or None}
    if code is not None:
        changes["code"] = _check_code(code, organisation)
    changes.update({k: v for k, v in fields.items() if k in EDIT_FIELDS})
    with database.atomic():
        before = audit.snapshot(organisation, tuple(changes))
        for name, value in changes.items():
            setattr(organisation, name, value)
        organisation.save()
        audit.record(
            actor,
            "organisation.rename",
            organisation,
            *audit.changes(before, audit.snapshot(organisation, tuple(changes))),
        )
        revision.bump(organisation, subtree=True)
    return organisation


def move(actor, organisation, new_parent):
    """Put ORGANISATION (and everything under it) under NEW_PARENT."""
    if organisation.parent_id is None:
        raise OrganisationError(N_("旗是组织树的根,不能移动。"))
    _check_scope(actor, organisation, allow_root=False)
    _check_scope(actor, new_parent)
    if new_parent.path.startswith(organisation.path):
        raise OrganisationError(N_("不能移到自己或自己的下级组织之下。"))
    _check_parent(new_parent, organisation.level)
    if new_parent.id == organisation.parent_id:
        raise OrganisationError(N_("新的上级组织与原来相同。"))
    with database.atomic():
        old_parent = organisation.parent_id
        before = {"parent": old_parent, "path": organisation.path}
        Organisation.update(parent=new_parent).where(Organisation.id == organisation.id).execute()
        repath()
        materialise()
        organisation = Organisation.get_by_id(organisation.id)
        audit.record(
            actor, "organisation.move", organisation, before, {"parent": new_parent.id, "path": organisation.path}
        )
        revision.bump(organisation, subtree=True)
        revision.bump((ORGANISATION, old_parent))
    return organisation


def archive(actor, organisation, reason, merged_into=None):
    """Dissolve or merge ORGANISATION: it leaves the tree's active part, its plaque answers 410.

    Its branches and members must have moved first (a merger transfers them to the new
    organisation through the roster or the console), so no member is left without a branch.
    """
    reason = (reason or "").strip()
    if not reason:
        raise OrganisationError(N_("请填写撤销或合并的原因。"))
    if organisation.parent_id is None:
        raise OrganisationError(N_("旗是组织树的根,不能撤销。"))
    if organisation.archived_at:
        raise OrganisationError(N_("该组织已撤销。"))
    _check_scope(actor, organisation, allow_root=False)
    if merged_into is not None:
        _check_scope(actor, merged_into)
        if merged_into.archived_at or merged_into.path.startswith(organisation.path):
            raise OrganisationError(N_("请选择一个现存的、不在其下级的组织作为合并去向。"))
    active_children = (
        Organisation.select().where(Organisation.parent == organisation, Organisation.archived_at.is_null()).count()
    )
    if active_children:
        raise OrganisationError(N_("该组织还有 %(count)s 个下级组织,请先调整或撤销。"), count=active_children)
    active_members = Member.select().where(Member.branch == organisation, Member.active == True).count()  # noqa: E712
    if active_members:
        raise OrganisationError(N_("该组织还有 %(count)s 名党员,请先转接。"), count=active_members)
    name = audit.actor_name(actor)
    notice = (
        phrases.stored("organisation_merged", name=merged_into.name_zh)
        if merged_into
        else phrases.stored("organisation_dissolved")
    )
    revoked = []
    with database.atomic():
        organisation.archived_at = utcnow()
        organisation.archived_reason = reason[:255]
        organisation.merged_into_id = merged_into.id if merged_into else None
        organisation.save()
        for plaque in PlaqueCode.select().where(
            PlaqueCode.subject_kind == ORGANISATION,
            PlaqueCode.subject_id == organisation.id,
            PlaqueCode.status == "active",
        ):
            plaques.mark_revoked(plaque, name, notice, replaced_by=None)
            revision.bump(plaque)
            revoked.append(plaque.code)
        audit.record(
            actor,
            "organisation.archive",
            organisation,
            None,
            {"reason": reason, "merged_into": organisation.merged_into_id},
        )
        revision.bump(organisation)
    page_export.forget_local(*revoked)  # committed: 410 at once on this host
    return organisation


def archived_notice(plaque):
    """For a revoked plaque of an archived organisation: "organisation dissolved" or "merged into …"."""
    if plaque.subject_kind != ORGANISATION:
        return None
    organisation = Organisation.get_or_none(Organisation.id == plaque.subject_id)
    if organisation is None or organisation.archived_at is None:
        return None
    merged = (
        Organisation.get_or_none(Organisation.id == organisation.merged_into_id)
        if organisation.merged_into_id
        else None
    )
    if merged is None:
        return {"dissolved": True, "merged_into": None, "merged_code": None}
    code = PlaqueCode.get_or_none(
        PlaqueCode.subject_kind == ORGANISATION, PlaqueCode.subject_id == merged.id, PlaqueCode.status == "active"
    )
    return {"dissolved": False, "merged_into": merged.name_zh, "merged_code": code.code if code else None}


def listing(code=None):
    """(code, id, name, level, domain, rubric, members) for every organisation, or those under CODE."""

    query = Organisation.select().order_by(Organisation.path)
    if code:
        query = query.where(Organisation.path.startswith(by_code(code).path))
    organisations = list(query)
    counts = _member_counts()
    effective = effective_rubrics(organisations)
    return [
        (
            o.code or "",
            o.id,
            o.name_zh,
            words.LEVEL_NAMES[o.level] + ("(已撤销)" if o.archived_at else ""),
            words.DOMAIN_NAMES[o.domain],
            effective[o.id][0] if o.id in effective else "",
            counts.get(o.id, 0),
        )
        for o in organisations
    ]


def _member_counts():
    return dict(
        Member.select(Member.branch, fn.COUNT(Member.id))
        .where(Member.active == True)  # noqa: E712
        .group_by(Member.branch)
        .tuples()
    )


def find(actor, parent_id=None, level=None, text=""):
    """A query of the organisations ACTOR may see, under PARENT_ID, of LEVEL, whose Chinese
    or Mongolian name contains TEXT; in tree order."""
    query = access.organisations(actor)
    if parent_id is not None:
        query = query.where(Organisation.parent == parent_id)
    if level:
        query = query.where(Organisation.level == level)
    text = (text or "").strip()
    if text:
        query = query.where(Organisation.name_zh.contains(text) | Organisation.name_mn.contains(text))
    return query.order_by(Organisation.path, Organisation.id)


def tree_position(current):
    """The organisation page around CURRENT (default: the first root): {"current", "children",
    "chain" (its ancestors, root first), "members" (active members of a branch)}; None when
    there is no organisation yet."""
    if current is None:
        current = Organisation.select().where(Organisation.parent.is_null()).order_by(Organisation.id).first()
    if current is None:
        return None
    chain_ids = [int(p) for p in current.path.strip("/").split("/") if p][:-1]
    return {
        "current": current,
        "children": list(
            Organisation.select()
            .where(Organisation.parent == current)
            .order_by(Organisation.sort_order, Organisation.id)
        ),
        "chain": list(Organisation.select().where(Organisation.id.in_(chain_ids)).order_by(Organisation.path)),
        "members": Member.select().where(Member.branch == current, Member.active == True).count(),  # noqa: E712
    }
