"""The tree import's checks across rows: codes, parents, roots, cycles, levels and scope;
and what a valid row changes in an existing organisation."""

from starqr.errors import N_, Term
from starqr.models import Member, Organisation
from starqr.services import vocabulary as words
from starqr.services.imports.tree_columns import AREA, CODE, FIELD_LABELS, LEVEL, PARENT


def existing_organisations():
    """{code: Organisation} of every coded organisation, and the roots."""
    organisations = list(Organisation.select())
    return (
        {o.code: o for o in organisations if o.code},
        {o.id: o for o in organisations},
        [o for o in organisations if o.parent_id is None],
    )


def validate(parsed, errors, scope_path):
    """Resolve codes, parents, roots, cycles, levels and scope. Returns (by code, existing rows by code)."""
    by_code, existing_by_id, roots = existing_organisations()
    rows = {}
    for row in parsed:
        if row.code in rows:
            errors.add(
                row.row, CODE, N_("组织编码 %(code)s 与第%(other)s行重复"), code=row.code, other=rows[row.code].row
            )
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
                errors.add(
                    row.row, CODE, N_("组织编码 %(code)s(%(name)s)已撤销,不能再导入"), code=code, name=existing.name_zh
                )
                continue
            if scope_path and not existing.path.startswith(scope_path):
                errors.add(
                    row.row, CODE, N_("组织编码 %(code)s(%(name)s)不在您的管理范围内"), code=code, name=existing.name_zh
                )
                continue
            if (
                existing.level == "branch"
                and row.level != "branch"
                and Member.select().where(Member.branch == existing).exists()
            ):
                errors.add(
                    row.row,
                    LEVEL,
                    N_("%(name)s有党员,不能改为%(level)s"),
                    name=existing.name_zh,
                    level=Term(words.LEVEL_NAMES[row.level]),
                )
                continue
            matched[code] = existing
    levels = []  # (row, its parent's level), checked once cycles are known
    for code, row in rows.items():
        if row.level == "banner":
            if row.parent_code:
                errors.add(row.row, PARENT, N_("旗一级组织不应有上级组织编码"))
            elif code not in matched and roots:
                errors.add(
                    row.row,
                    CODE,
                    N_("数据库中已有旗「%(name)s」(编码 %(code)s),一个数据库只管理一个旗"),
                    name=roots[0].name_zh,
                    code=roots[0].code or "—",
                )
            elif scope_path:
                errors.add(row.row, LEVEL, N_("只有系统管理员可以导入旗一级组织"))
            continue
        if not row.parent_code:
            errors.add(row.row, PARENT, N_("上级组织编码为空"))
            continue
        if row.parent_code == code:
            errors.add(row.row, PARENT, N_("上级组织不能是自己"))
            continue
        parent_row, parent = rows.get(row.parent_code), by_code.get(row.parent_code)
        if parent_row is None and parent is None:
            errors.add(row.row, PARENT, N_("上级组织编码 %(code)s 不存在(文件和系统中都没有)"), code=row.parent_code)
            continue
        if parent_row is None and parent.archived_at:
            errors.add(
                row.row, PARENT, N_("上级组织 %(code)s(%(name)s)已撤销"), code=row.parent_code, name=parent.name_zh
            )
            continue
        if parent_row is None and scope_path and not parent.path.startswith(scope_path):
            errors.add(
                row.row,
                PARENT,
                N_("上级组织 %(code)s(%(name)s)不在您的管理范围内"),
                code=row.parent_code,
                name=parent.name_zh,
            )
            continue
        levels.append((row, parent_row.level if parent_row else parent.level))
    in_cycle = check_cycles(rows, by_code, existing_by_id, errors)
    for row, parent_level in levels:
        if row.code not in in_cycle and words.LEVEL_DEPTH[parent_level] >= words.LEVEL_DEPTH[row.level]:
            errors.add(
                row.row,
                LEVEL,
                N_("%(level)s不能隶属于%(parent_level)s(上级组织编码 %(code)s)"),
                level=Term(words.LEVEL_NAMES[row.level]),
                parent_level=Term(words.LEVEL_NAMES[parent_level]),
                code=row.parent_code,
            )
    return rows, matched


def check_cycles(rows, by_code, existing_by_id, errors):
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
                    errors.add(
                        row.row,
                        PARENT,
                        N_("组织编码 %(code)s 的上级关系形成循环:%(loop)s"),
                        code=code,
                        loop=" → ".join(seen + [code]),
                    )
                break
            seen.append(current)
            current = parent_of(current) if not current.startswith("#") else None
    return in_cycle


def field_changes(row, org, parent_code_before):
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
