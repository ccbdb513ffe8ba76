"""Bad tree and roster files: errors name the row and the column, and nothing changes."""

import pytest

from starqr.models import AuditLog, Member, Organisation, PlaqueCode
from starqr.services import imports
from starqr.services.imports import roster_apply, tree
from tests import onboarding_files as files


def _counts():
    return (
        Organisation.select().count(),
        Member.select().count(),
        PlaqueCode.select().count(),
        AuditLog.select().count(),
    )


@pytest.fixture
def banner(app):
    rows, branches = files.banner_with_tree()
    roster = files.roster_rows(branches, 20)
    assert roster_apply.run(files.xlsx(roster, files.ROSTER_HEADER), "r.xlsx", "chief", dry_run=False).ok
    return rows, roster


def _tree_errors(rows):
    before = _counts()
    plan = tree.run(files.xlsx(rows, files.TREE_HEADER), "bad.xlsx", "chief", dry_run=False)
    assert _counts() == before and not plan.applied
    return [(e.row, e.column, e.message) for e in plan.errors]


def _roster_errors(rows, header=files.ROSTER_HEADER, as_csv=False):
    before = _counts()
    data = files.csv(rows, header) if as_csv else files.xlsx(rows, header)
    plan = roster_apply.run(data, "bad.csv" if as_csv else "bad.xlsx", "chief", dry_run=False)
    assert _counts() == before and not plan.applied
    return [(e.row, e.column, e.message) for e in plan.errors]


def test_unknown_parent(banner):
    rows = [list(r) for r in banner[0]] + [["X1", "新村", "", "NOPE", "嘎查村社区", "农村牧区", "", ""]]
    errors = _tree_errors(rows)
    assert errors == [(len(rows) + 1, "上级组织编码", "上级组织编码 NOPE 不存在(文件和系统中都没有)")]


def test_cycle(banner):
    rows = [
        ["C1", "甲", "", "C2", "嘎查村社区", "农村牧区", "", ""],
        ["C2", "乙", "", "C1", "嘎查村社区", "农村牧区", "", ""],
    ]
    errors = _tree_errors(rows)
    assert [(r, c) for r, c, _ in errors] == [(2, "上级组织编码"), (3, "上级组织编码")]
    assert "循环" in errors[0][2]


def test_duplicate_codes(banner):
    rows = [list(r) for r in banner[0]] + [list(banner[0][5])]
    assert _tree_errors(rows) == [(len(rows) + 1, "组织编码", f"组织编码 {rows[5][0]} 与第7行重复")]
    roster = [list(r) for r in banner[1]] + [list(banner[1][3])]
    assert _roster_errors(roster) == [(len(roster) + 1, "党员编号", f"党员编号 {roster[3][0]} 与第5行重复")]


def test_unknown_domain_and_category(banner):
    rows = [list(r) for r in banner[0]]
    rows[4][5] = "外星"
    errors = _tree_errors(rows)
    assert [(r, c) for r, c, _ in errors] == [(6, "领域")] and "外星" in errors[0][2]
    roster = [list(r) for r in banner[1]]
    roster[2][4] = "荣誉党员"
    errors = _roster_errors(roster)
    assert [(r, c) for r, c, _ in errors] == [(4, "党员类别")]


def test_unknown_branch_code(banner):
    roster = [list(r) for r in banner[1]]
    roster[0][3] = "B99"
    roster[1][3] = "T0"  # a town, not a branch
    errors = _roster_errors(roster)
    assert errors[0] == (2, "所在支部编码", "支部编码 B99 不存在(请先导入组织树)")
    assert errors[1][:2] == (3, "所在支部编码") and "不是党支部" in errors[1][2]


def test_identity_number_column_refused(banner):
    roster = [list(r) + ["15082419800101123X"] for r in banner[1]]
    with pytest.raises(imports.ImportFileError, match="身份证号码或手机号码"):
        _roster_errors(roster, files.ROSTER_HEADER + ["身份证号"])
    with pytest.raises(imports.ImportFileError, match="第2行「备注」"):
        _roster_errors(roster, files.ROSTER_HEADER + ["备注"], as_csv=True)
    phones = [list(r) + ["13912345678"] for r in banner[1]]
    with pytest.raises(imports.ImportFileError, match="不保存"):
        _roster_errors(phones, files.ROSTER_HEADER + ["其他"])
    assert not Member.select().where(Member.name_zh.contains("1391")).exists()


def test_impossible_date(banner):
    roster = [list(r) for r in banner[1]]
    roster[5][5] = "2026-02-30"
    roster[6][6] = "1950-01-01"  # before the member joined
    errors = _roster_errors(roster, as_csv=True)
    assert errors[0] == (7, "入党日期", "入党日期「2026-02-30」不是有效日期,请写成 2001-07-01")
    assert errors[1][:2] == (8, "转正日期")


@pytest.mark.parametrize("as_csv", [True, False])
def test_one_bad_row_in_a_clean_roster_is_found_where_it_is(banner, as_csv):
    """The roster is checked column by column first; one bad cell deep in a long file still gets
    its own row-and-column error (or refuses the file, for an identity number), nothing written."""
    rows, branches = files.tree_rows()
    roster = files.roster_rows(branches, 120)
    roster[40][7] = "联系电话13812345678"  # a post, public: a mobile number inside it
    roster[60][2] = "ᠮ" * 161  # a Mongolian name over 160 characters
    roster[80][0] = roster[10][0]  # a duplicate number
    errors = _roster_errors(roster, as_csv=as_csv)
    assert [(row, column) for row, column, _ in errors] == [(42, "岗位"), (62, "蒙古文姓名"), (82, "党员编号")]
    assert "手机号码" in errors[0][2] and "160" in errors[1][2] and "第12行" in errors[2][2]
    buried = [list(r) + [""] for r in files.roster_rows(branches, 120)]
    buried[99][8] = "150824198001011234"  # an identity number in one cell of an extra column
    with pytest.raises(imports.ImportFileError, match="第101行「备注」"):
        _roster_errors(buried, files.ROSTER_HEADER + ["备注"], as_csv=as_csv)
