"""The organisation tree import (组织树): 组织编码 is the key; a new parent is a move.

    组织编码 | 组织名称 | 蒙古文名称 | 上级组织编码 | 层级 | 领域 | 活动场所面积 | 书记

Rows never delete anything: organisations missing from the file stay as they are. The steps
are the shared pipeline's (pipeline.py): rows parsed here, checked across rows in
tree_check, applied in tree_apply.
"""

from starqr.errors import N_
from starqr.models import Organisation
from starqr.services import vocabulary as words
from starqr.services.imports import pipeline, tree_apply, tree_check
from starqr.services.imports.cells import cell_text, parse_number
from starqr.services.imports.pipeline import administrator
from starqr.services.imports.tabular import Change
from starqr.services.imports.tree_apply import repath
from starqr.services.imports.tree_columns import (
    AREA,
    CODE,
    COLUMNS,
    DOMAIN,
    LEVEL,
    MAX_CODE,
    NAME,
    NAME_MN,
    PARENT,
    SECRETARY,
    TreeRow,
)

__all__ = ["COLUMNS", "TreeImporter", "administrator", "repath", "run"]


def parse_row(number, cells, errors):
    """A TreeRow of one row's cells ({column: cell}), or None; problems go to ERRORS."""
    code = cell_text(cells.get(CODE))
    if not code:
        errors.add(number, CODE, N_("组织编码为空"))
        return None
    if len(code) > MAX_CODE:
        errors.add(number, CODE, N_("组织编码不能超过 %(n)s 个字符"), n=MAX_CODE)
        return None
    name = cell_text(cells.get(NAME))
    if not name:
        errors.add(number, NAME, N_("组织名称为空"))
    level_text = cell_text(cells.get(LEVEL))
    level = words.lookup(words.LEVEL_WORDS, level_text)
    if level is None:
        errors.add(number, LEVEL, N_("层级「%(value)s」不正确,应为旗、苏木镇、嘎查村社区或支部"), value=level_text)
    domain_text = cell_text(cells.get(DOMAIN))
    domain = words.lookup(words.DOMAIN_WORDS, domain_text)
    if domain is None:
        errors.not_a_choice(
            number, DOMAIN, N_("领域「%(value)s」不正确,应为%(choices)s"), domain_text, words.DOMAIN_NAMES
        )
    area = None
    try:
        area = parse_number(cells.get(AREA))
        if area is not None and not 0 <= area < 10**8:
            raise ValueError
    except ValueError:
        errors.add(number, AREA, N_("活动场所面积「%(value)s」不是有效的数字"), value=cell_text(cells.get(AREA)))
    if not name or level is None or domain is None:
        return None
    return TreeRow(
        number,
        code,
        name[:120],
        cell_text(cells.get(NAME_MN))[:240],
        cell_text(cells.get(PARENT)),
        level,
        domain,
        area,
        cell_text(cells.get(SECRETARY))[:60],
    )


class TreeImporter(pipeline.Importer):
    kind = "tree"
    columns = COLUMNS

    def parse(self, rows, found, labels, errors):
        width_of = found.items()
        parsed = []
        for number, cells in rows:
            width = len(cells)
            row = parse_row(number, {name: (cells[i] if i < width else None) for name, i in width_of}, errors)
            if row is not None:
                parsed.append(row)
        return parsed

    def check(self, records, errors):
        self.rows, self.matched = tree_check.validate(records, errors, self.actor.scope_path)

    def plan(self, plan, records, errors):
        codes_by_id = dict(Organisation.select(Organisation.id, Organisation.code).tuples())
        for code, row in self.rows.items():
            org = self.matched.get(code)
            if org is None:
                plan.created.append(Change(row.row, code, row.name_zh, note=words.LEVEL_NAMES[row.level]))
                continue
            changes = tree_check.field_changes(row, org, codes_by_id.get(org.parent_id))
            if not changes:
                plan.unchanged += 1
            elif PARENT in changes:
                plan.moved.append(Change(row.row, code, row.name_zh, changes, subject_id=org.id))
            else:
                plan.updated.append(Change(row.row, code, row.name_zh, changes, subject_id=org.id))

    def apply(self, plan, records):
        tree_apply.apply(plan, self.rows, self.matched, self.actor)


def run(data, filename, actor, dry_run=True, progress=None):
    """Check a tree file and, unless DRY_RUN, apply it all-or-nothing. Returns an ImportPlan.

    ACTOR (an access.Actor, a User or a name for the system): an administrator, or a town
    administrator for rows within their subtree.
    """
    return pipeline.run(TreeImporter(administrator(actor)), data, filename, dry_run, progress)
