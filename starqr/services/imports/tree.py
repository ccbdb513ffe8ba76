"""The organisation tree import (组织树): 组织编码 is the key; a new parent is a move.

    组织编码 | 组织名称 | 蒙古文名称 | 上级组织编码 | 层级 | 领域 | 活动场所面积 | 书记

Rows never delete anything: organisations missing from the file stay as they are.
"""

from dataclasses import dataclass

from starqr.db import bulk_insert_dicts, database
from starqr.errors import Forbidden
from starqr.models import ORGANISATION, AuditLog, Member, Organisation, utcnow
from starqr.services import access, audit, revision
from starqr.services import vocabulary as words
from starqr.services.imports.cells import _text, parse_number
from starqr.services.imports.codes import issue_many, reserve_ids
from starqr.services.imports.tabular import Column, Errors, Change, cell_dicts, new_plan, read_table

CODE, NAME, NAME_MN, PARENT, LEVEL, DOMAIN, AREA, SECRETARY = (
    "组织编码",
    "组织名称",
    "蒙古文名称",
    "上级组织编码",
    "层级",
    "领域",
    "活动场所面积",
    "书记",
)
COLUMNS = (
    Column(
        CODE,
        ("编码", "组织代码"),
        True,
        "本组织的编码(县里自定,全旗唯一),是导入的依据:再次导入时按编码更新",
        (),
        "150824101",
    ),
    Column(NAME, ("名称", "组织全称"), True, "组织的中文全称", (), "海流图镇党委"),
    Column(NAME_MN, ("蒙文名称", "蒙古文"), False, "传统蒙古文名称(可空)", (), ""),
    Column(PARENT, ("上级编码", "上级组织"), False, "上级组织的组织编码;旗一级留空", (), "150824"),
    Column(
        LEVEL,
        ("级别",),
        True,
        "旗、苏木镇、嘎查村社区或支部(也可写旗县、乡镇、村、社区)",
        ("旗", "苏木镇", "嘎查村社区", "支部"),
        "苏木镇",
    ),
    Column(DOMAIN, ("所属领域",), True, "决定默认评星标准", tuple(words.DOMAIN_NAMES.values()), "农村牧区"),
    Column(AREA, ("场所面积", "活动场所面积(平方米)"), False, "党群服务中心(活动场所)面积,平方米,可空", (), 320),
    Column(SECRETARY, ("书记姓名", "支部书记"), False, "书记姓名,会在扫码页公开", (), "杨勇"),
)
FIELD_LABELS = {
    "name_zh": NAME,
    "name_mn": NAME_MN,
    "level": LEVEL,
    "domain": DOMAIN,
    "venue_area_m2": AREA,
    "secretary_name": SECRETARY,
    "parent": PARENT,
}
MAX_CODE = 40


@dataclass
class _Row:
    row: int
    code: str
    name_zh: str
    name_mn: str
    parent_code: str
    level: str
    domain: str
    venue_area_m2: object
    secretary_name: str


def administrator(who):
    """The Actor of WHO if it may change the tree or the roster (an administrator or a town administrator)."""
    actor = access.as_actor(who)
    if not actor.active or actor.role not in access.ADMINISTRATORS:
        raise Forbidden("只有管理员可以导入组织树和党员花名册", code="import_forbidden")
    return actor


def _parse(number, cells, errors):
    code = _text(cells.get(CODE))
    if not code:
        errors.add(number, CODE, "组织编码为空")
        return None
    if len(code) > MAX_CODE:
        errors.add(number, CODE, f"组织编码不能超过 {MAX_CODE} 个字符")
        return None
    name = _text(cells.get(NAME))
    if not name:
        errors.add(number, NAME, "组织名称为空")
    level_text = _text(cells.get(LEVEL))
    level = words.lookup(words.LEVEL_WORDS, level_text)
    if level is None:
        errors.add(number, LEVEL, f"层级「{level_text}」不正确,应为旗、苏木镇、嘎查村社区或支部")
    domain_text = _text(cells.get(DOMAIN))
    domain = words.lookup(words.DOMAIN_WORDS, domain_text)
    if domain is None:
        errors.add(number, DOMAIN, f"领域「{domain_text}」不正确,应为" + "、".join(words.DOMAIN_NAMES.values()))
    area = None
    try:
        area = parse_number(cells.get(AREA))
        if area is not None and not 0 <= area < 10**8:
            raise ValueError
    except ValueError:
        errors.add(number, AREA, f"活动场所面积「{_text(cells.get(AREA))}」不是有效的数字")
    if not name or level is None or domain is None:
        return None
    return _Row(
        number,
        code,
        name[:120],
        _text(cells.get(NAME_MN))[:240],
        _text(cells.get(PARENT)),
        level,
        domain,
        area,
        _text(cells.get(SECRETARY))[:60],
    )


def _existing():
    """{code: Organisation} of every coded organisation, and the roots."""
    organisations = list(Organisation.select())
    return (
        {o.code: o for o in organisations if o.code},
        {o.id: o for o in organisations},
        [o for o in organisations if o.parent_id is None],
    )


def _validate(parsed, errors, scope_path):
    """Resolve codes, parents, roots, cycles, levels and scope. Returns (by code, existing rows by code)."""
    by_code, existing_by_id, roots = _existing()
    rows = {}
    for row in parsed:
        if row.code in rows:
            errors.add(row.row, CODE, f"组织编码 {row.code} 与第{rows[row.code].row}行重复")
        else:
            rows[row.code] = row
    matched = {}  # code -> existing Organisation
    for code, row in rows.items():
        existing = by_code.get(code)
        if existing is None and row.level == "banner" and not row.parent_code:
            uncoded = [r for r in roots if not r.code]
            if len(uncoded) == 1:  # the banner `starqr init` made: the file gives it its code
                existing = uncoded[0]
        if existing is not None:
            if existing.archived_at:
                errors.add(row.row, CODE, f"组织编码 {code}({existing.name_zh})已撤销,不能再导入")
                continue
            if scope_path and not existing.path.startswith(scope_path):
                errors.add(row.row, CODE, f"组织编码 {code}({existing.name_zh})不在您的管理范围内")
                continue
            if (
                existing.level == "branch"
                and row.level != "branch"
                and Member.select().where(Member.branch == existing).exists()
            ):
                errors.add(row.row, LEVEL, f"{existing.name_zh}有党员,不能改为{words.LEVEL_NAMES[row.level]}")
                continue
            matched[code] = existing
    levels = []  # (row, its parent's level), checked once cycles are known
    for code, row in rows.items():
        if row.level == "banner":
            if row.parent_code:
                errors.add(row.row, PARENT, "旗一级组织不应有上级组织编码")
            elif code not in matched and roots:
                errors.add(
                    row.row,
                    CODE,
                    f"数据库中已有旗「{roots[0].name_zh}」(编码 {roots[0].code or '无'}),一个数据库只管理一个旗",
                )
            elif scope_path:
                errors.add(row.row, LEVEL, "只有系统管理员可以导入旗一级组织")
            continue
        if not row.parent_code:
            errors.add(row.row, PARENT, "上级组织编码为空")
            continue
        if row.parent_code == code:
            errors.add(row.row, PARENT, "上级组织不能是自己")
            continue
        parent_row, parent = rows.get(row.parent_code), by_code.get(row.parent_code)
        if parent_row is None and parent is None:
            errors.add(row.row, PARENT, f"上级组织编码 {row.parent_code} 不存在(文件和系统中都没有)")
            continue
        if parent_row is None and parent.archived_at:
            errors.add(row.row, PARENT, f"上级组织 {row.parent_code}({parent.name_zh})已撤销")
            continue
        if parent_row is None and scope_path and not parent.path.startswith(scope_path):
            errors.add(row.row, PARENT, f"上级组织 {row.parent_code}({parent.name_zh})不在您的管理范围内")
            continue
        levels.append((row, parent_row.level if parent_row else parent.level))
    in_cycle = _check_cycles(rows, by_code, existing_by_id, errors)
    for row, parent_level in levels:
        if row.code not in in_cycle and words.LEVEL_DEPTH[parent_level] >= words.LEVEL_DEPTH[row.level]:
            errors.add(
                row.row,
                LEVEL,
                f"{words.LEVEL_NAMES[row.level]}不能隶属于{words.LEVEL_NAMES[parent_level]}"
                f"(上级组织编码 {row.parent_code})",
            )
    return rows, matched


def _check_cycles(rows, by_code, existing_by_id, errors):
    """Every file row must reach a root through parents after the import. Returns the codes in a loop."""

    def parent_of(code):
        if code in rows:
            return rows[code].parent_code or None
        org = by_code.get(code)
        if org is None or org.parent_id is None:
            return None
        return existing_by_id[org.parent_id].code or f"#{org.parent_id}"

    in_cycle = set()
    for code, row in rows.items():
        seen = [code]
        current = parent_of(code)
        while current is not None:
            if current in seen:
                if current == code:
                    in_cycle.add(code)
                    errors.add(row.row, PARENT, f"组织编码 {code} 的上级关系形成循环:" + " → ".join(seen + [code]))
                break
            seen.append(current)
            current = parent_of(current) if not current.startswith("#") else None
    return in_cycle


def _field_changes(row, org, parent_code_before):
    changes = {}
    for name in ("name_zh", "name_mn", "level", "domain", "secretary_name"):
        before, after = getattr(org, name) or "", getattr(row, name) or ""
        if before != after:
            changes[FIELD_LABELS[name]] = (before, after)
    before_area = org.venue_area_m2
    if (before_area is None) != (row.venue_area_m2 is None) or (
        before_area is not None and float(before_area) != float(row.venue_area_m2)
    ):
        changes[AREA] = (
            None if before_area is None else float(before_area),
            None if row.venue_area_m2 is None else float(row.venue_area_m2),
        )
    if org.code != row.code:
        changes[CODE] = (org.code or "", row.code)
    if (row.parent_code or "") != (parent_code_before or ""):
        changes[PARENT] = (parent_code_before or "", row.parent_code or "")
    return changes


def run(data, filename, actor, dry_run=True, progress=None):
    """Check a tree file and, unless DRY_RUN, apply it all-or-nothing. Returns an ImportPlan.

    ACTOR (an access.Actor, a User or a name for the system): an administrator, or a town
    administrator for rows within their subtree.
    """
    actor = administrator(actor)
    scope_path = actor.scope_path
    plan = new_plan("tree", data, filename, dry_run)
    found, _labels, rows = read_table(data, filename, COLUMNS)
    errors = Errors()
    parsed = []
    for number, cells in cell_dicts(found, rows):
        plan.rows += 1
        row = _parse(number, cells, errors)
        if row is not None:
            parsed.append(row)
    if not plan.rows:
        errors.add(2, "", "文件没有数据行")
    if progress:
        progress(plan.rows // 2, plan.rows)
    rows, matched = _validate(parsed, errors, scope_path)
    if errors:
        return plan.fail_with(errors)
    codes_by_id = {o.id: o.code for o in Organisation.select(Organisation.id, Organisation.code)}
    for code, row in rows.items():
        org = matched.get(code)
        if org is None:
            plan.created.append(Change(row.row, code, row.name_zh, note=words.LEVEL_NAMES[row.level]))
            continue
        changes = _field_changes(row, org, codes_by_id.get(org.parent_id))
        if not changes:
            plan.unchanged += 1
        elif PARENT in changes:
            plan.moved.append(Change(row.row, code, row.name_zh, changes, subject_id=org.id))
        else:
            plan.updated.append(Change(row.row, code, row.name_zh, changes, subject_id=org.id))
    if dry_run or not plan.changes:
        return plan
    with database.atomic():
        _apply(plan, rows, matched, actor, filename)
    plan.applied = True
    if progress:
        progress(plan.rows, plan.rows)
    return plan


def _apply(plan, rows, matched, actor, filename):
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
    from starqr.services.rubric_assignments import materialise

    materialise()  # new and moved organisations inherit the assignments above them
    issue_many(ORGANISATION, [ids[c] for c in new_codes], name)
    logs.append(
        dict(
            actor=name,
            action="import.tree",
            target=filename[:120] or "tree",
            before=None,
            after={
                "sha256": plan.file_sha256,
                "created": len(plan.created),
                "updated": len(plan.updated),
                "moved": len(plan.moved),
            },
            at=now,
        )
    )
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
