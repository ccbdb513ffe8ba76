"""Applying a checked tree: new organisations (parents first, with paths and plaques), changed
and moved ones, assignments inherited downward, one audit entry per organisation and one for the file."""

from starqr.db import bulk_insert_dicts
from starqr.models import ORGANISATION, AuditLog, Organisation, utcnow
from starqr.services import audit, revision
from starqr.services import vocabulary as words
from starqr.services.imports.codes import issue_many, reserve_ids
from starqr.services.imports.tree_columns import PARENT
from starqr.services.rubric_assignments import materialise


def apply(plan, rows, matched, actor):
    name = audit.actor_name(actor)
    now = utcnow()
    order = {row.code: index for index, row in enumerate(rows.values())}
    new_codes = [c.key for c in plan.created]
    ids = dict(zip(new_codes, reserve_ids(Organisation, len(new_codes))))
    id_of = {code: org.id for code, org in matched.items()}
    id_of.update(ids)
    id_of.update(
        {
            o.code: o.id
            for o in Organisation.select(Organisation.id, Organisation.code).where(
                Organisation.code.in_([r.parent_code for r in rows.values() if r.parent_code])
            )
        }
    )
    logs = []
    new_rows = []
    for code in new_codes:
        row = rows[code]
        new_rows.append(
            dict(
                id=ids[code],
                code=code,
                parent=id_of.get(row.parent_code),
                path="/",
                level=row.level,
                unit_kind=words.UNIT_KIND_BY_DOMAIN[row.domain] if row.level == "unit" else None,
                domain=row.domain,
                name_zh=row.name_zh,
                name_mn=row.name_mn or None,
                venue_area_m2=row.venue_area_m2,
                secretary_name=row.secretary_name or None,
                sort_order=order[code],
            )
        )
        logs.append(
            dict(
                actor=name,
                action="organisation.import",
                target=f"organisation:{ids[code]}",
                before=None,
                after=audit.json_safe(
                    {
                        "code": code,
                        "name_zh": row.name_zh,
                        "level": row.level,
                        "domain": row.domain,
                        "parent": row.parent_code,
                    }
                ),
                at=now,
            )
        )
    # Parents first: a foreign key must point at a row that exists; paths follow the same order.
    new_rows.sort(key=lambda r: words.LEVEL_DEPTH[r["level"]])
    path_of = dict(
        Organisation.select(Organisation.id, Organisation.path)
        .where(Organisation.id.in_([r["parent"] for r in new_rows if r["parent"] and r["parent"] not in ids.values()]))
        .tuples()
    )
    for r in new_rows:
        r["path"] = path_of[r["id"]] = (path_of[r["parent"]] if r["parent"] else "/") + f"{r['id']}/"
    for depth in range(4):
        bulk_insert_dicts(Organisation, [r for r in new_rows if words.LEVEL_DEPTH[r["level"]] == depth])
    for change in plan.updated + plan.moved:
        row, org = rows[change.key], matched[change.key]
        Organisation.update(
            code=row.code,
            name_zh=row.name_zh,
            name_mn=row.name_mn or None,
            level=row.level,
            domain=row.domain,
            venue_area_m2=row.venue_area_m2,
            secretary_name=row.secretary_name or None,
            parent=id_of.get(row.parent_code) if row.parent_code else None,
        ).where(Organisation.id == org.id).execute()
        before = {label: pair[0] for label, pair in change.fields.items()}
        after = {label: pair[1] for label, pair in change.fields.items()}
        logs.append(
            dict(
                actor=name,
                action="organisation.move" if PARENT in change.fields else "organisation.edit",
                target=f"organisation:{org.id}",
                before=audit.json_safe(before),
                after=audit.json_safe(after),
                at=now,
            )
        )
    if plan.moved:
        repath()

    materialise()  # new and moved organisations inherit the assignments above them
    issue_many(ORGANISATION, [ids[c] for c in new_codes], name)
    logs.append(plan.audit_entry(name, now, moved=len(plan.moved)))
    bulk_insert_dicts(AuditLog, logs)
    revision.bump()


def repath():
    """Recompute every organisation's materialised path from its parent; write the ones that changed."""
    rows = list(Organisation.select(Organisation.id, Organisation.parent, Organisation.path).tuples())
    parent_of = {org_id: parent_id for org_id, parent_id, _ in rows}
    paths = {}

    def path_of(org_id):
        if org_id not in paths:
            parent_id = parent_of[org_id]
            paths[org_id] = (path_of(parent_id) if parent_id else "/") + f"{org_id}/"
        return paths[org_id]

    for org_id, _parent, path in rows:
        if path_of(org_id) != path:
            Organisation.update(path=paths[org_id]).where(Organisation.id == org_id).execute()
