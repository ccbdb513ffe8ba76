"""Bulk import: encodings, validation naming row and column, dry run, all-or-nothing, idempotence."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from starqr.models import ImportBatch, LedgerEntry
from starqr.services import imports, ratings
from tests.helpers import issue_code, make_member, make_period, make_tree, record


@pytest.fixture
def banner(app):
    tree = make_tree()
    members = [make_member(tree["branch"], name_zh=name) for name in ("巴特尔", "其其格", "王建国")]
    codes = [issue_code(m).code for m in members]
    branch_code = issue_code(tree["branch"]).code
    period = make_period(year=2025)
    return {"tree": tree, "members": members, "codes": codes, "branch_code": branch_code, "period": period}


def rows_for(banner):
    c = banner["codes"]
    return [
        [c[0], "巴特尔", "study", "", 3, "2025-03-01", "参加集中学习"],
        [c[1], "其其格", "参加主题党日", 2, 1, "2025/04/12", "主题党日"],
        [c[2], "王建国", "appraisal_percent", 95, "", "2025-12-20", "民主评议"],
        [c[2], "王建国", "miss_meeting", -1, 1, "", "无故缺席支部大会"],
    ]


def ledger_count():
    return LedgerEntry.select().count()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_import_the_same(banner, encoding):
    data = imports.write_csv(rows_for(banner), encoding=encoding)
    result = imports.run(banner["period"], data, "scores.csv", "admin", dry_run=False)
    assert result.ok, result.error_lines()
    assert result.written == 4
    entry = LedgerEntry.get(LedgerEntry.item == "study")
    assert float(entry.points) == 6 and entry.quantity == 3 and entry.occurred_on == "2025-03-01"


def test_xlsx_imports_and_second_import_changes_nothing(banner):
    data = imports.write_xlsx(rows_for(banner))
    first = imports.run(banner["period"], data, "scores.xlsx", "admin", dry_run=False)
    assert first.ok and first.written == 4
    before = ledger_count()
    second = imports.run(banner["period"], data, "scores.xlsx", "admin", dry_run=False)
    assert second.ok and second.written == 0
    assert ledger_count() == before
    # The same rows re-saved as CSV (another file, same content) change nothing either.
    third = imports.run(banner["period"], imports.write_csv(rows_for(banner)), "again.csv", "admin", dry_run=False)
    assert third.written == 0 and ledger_count() == before


def test_identical_rows_in_one_file_both_count(banner):
    c = banner["codes"]
    rows = [[c[0], "巴特尔", "study", 2, 1, "2025-03-01", "学习"]] * 2
    result = imports.run(banner["period"], imports.write_csv(rows), "x.csv", "admin", dry_run=False)
    assert result.written == 2


def test_bad_rows_name_row_and_column_and_write_nothing(banner):
    c = banner["codes"]
    rows = rows_for(banner) + [
        ["ZZZZ999999", "某某", "study", 2, 1, "2025-01-01", ""],  # row 6: unknown code
        [c[0], "张三", "study", 2, 1, "2025-01-01", ""],  # row 7: name mismatch
        [c[0], "巴特尔", "flying", 2, 1, "2025-01-01", ""],  # row 8: unknown item
        [c[0], "巴特尔", "study", 5, 1, "2025-01-01", ""],  # row 9: out of bounds
        [c[0], "巴特尔", "study", 2, 1, "2025-02-30", ""],  # row 10: bad date
        [c[0], "巴特尔", "study", 2, 1, "2024-12-31", ""],  # row 11: outside period
        [c[0], "巴特尔", "appraisal_percent", 120, 1, "", ""],  # row 12: value out of range
        [c[0], "巴特尔", "study", "abc", 1, "", ""],  # row 13: not a number
        [banner["branch_code"], "仁宝勒格嘎查党支部", "study", 2, 1, "", ""],  # row 14: not that rubric's item
    ]
    result = imports.run(banner["period"], imports.write_xlsx(rows), "bad.xlsx", "admin", dry_run=False)
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (6, "编码"),
        (7, "姓名"),
        (8, "项目"),
        (9, "分值"),
        (10, "日期"),
        (11, "日期"),
        (12, "分值"),
        (13, "分值"),
        (14, "项目"),
    }
    text = "\n".join(result.error_lines())
    assert "第6行「编码」:编码 ZZZZ999999 不存在" in text
    assert "第7行「姓名」" in text and "巴特尔" in text
    assert result.written == 0 and ledger_count() == 0


def test_missing_header_is_a_file_error(banner):
    data = imports.write_csv([["x", "y"]], header=["编码", "分值"])
    with pytest.raises(imports.ImportFileError) as caught:
        imports.run(banner["period"], data, "x.csv", "admin")
    assert "姓名" in str(caught.value) and "项目" in str(caught.value)


def test_revoked_code_points_to_replacement(banner):
    from starqr.services import plaques

    new = plaques.reissue(banner["codes"][0], actor="tester", reason="丢失")
    rows = [[banner["codes"][0], "巴特尔", "study", 2, 1, "", ""]]
    result = imports.run(banner["period"], imports.write_csv(rows), "x.csv", "admin")
    assert new.code in str(result.errors[0]) and result.errors[0].column == "编码"


def test_dry_run_shows_star_moves_and_writes_nothing(banner):
    c = banner["codes"]
    rows = [
        [c[0], "巴特尔", "appraisal_percent", 100, 1, "", "民主评议"],
        [c[0], "巴特尔", "commitments_fulfilled", 1, 1, "", "承诺全部兑现"],
        [c[1], "其其格", "study", 2, 1, "", "学习"],
    ]
    result = imports.run(banner["period"], imports.write_csv(rows), "x.csv", "admin", dry_run=True)
    assert result.ok and ledger_count() == 0 and len(result.entries) == 3
    moves = {m.name: m for m in result.moves}
    # 50 base + 20 appraisal + 10 commitments = 80 → 4 stars, from 50 → 1 star.
    assert moves["巴特尔"].before_stars == 1 and moves["巴特尔"].after_stars == 4
    assert moves["巴特尔"].code == c[0]
    assert "其其格" not in moves  # 52 points: still 1 star
    assert result.totals_changed == 2


def test_value_rows_replace_the_current_value(banner):
    member = banner["members"][2]
    record(member, banner["period"], "appraisal_percent", 80)
    rows = [[banner["codes"][2], "王建国", "appraisal_percent", 90, 1, "", "复核后得票率"]]
    result = imports.run(banner["period"], imports.write_csv(rows), "x.csv", "admin", dry_run=False)
    assert result.written == 1
    # The entry carries the value itself; the latest value entry is the one in use.
    newest = LedgerEntry.select().where(LedgerEntry.item == "appraisal_percent").order_by(LedgerEntry.id.desc()).first()
    assert float(newest.points) == 90
    assert ratings.ledger_values(banner["period"])[("member", member.id)]["appraisal_percent"] == 90
    again = imports.run(banner["period"], imports.write_csv(rows), "x.csv", "admin", dry_run=False)
    assert again.written == 0


def test_scope_keeps_rows_to_a_subtree(banner):
    from tests.helpers import make_org

    other = make_org(banner["tree"]["town"], "unit", "rural", "另一嘎查")
    rows = [[banner["codes"][0], "巴特尔", "study", 2, 1, "", ""]]
    from starqr.services import access

    actor = access.Actor(id=1, name="town_admin", role="org_admin", organisation_id=other.id, scope_path=other.path)
    result = imports.run(banner["period"], imports.write_csv(rows), "x.csv", actor)
    assert result.errors and "管理范围" in str(result.errors[0])


def test_final_period_refuses_imports(banner):
    period = banner["period"]
    period.state = "final"
    period.save()
    with pytest.raises(imports.ImportFileError):
        imports.run(period, imports.write_csv(rows_for(banner)), "x.csv", "admin")


def test_templates_have_chinese_headers_and_parse_back(banner):
    csv_bytes = imports.template_csv("member_points")
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and "编码,姓名,项目".encode() in csv_bytes
    xlsx = imports.template_xlsx("member_points")
    columns, rows = imports.read_rows(xlsx, "t.xlsx")
    assert set(columns) == set(imports.COLUMNS)
    assert len([r for r in rows]) >= 1


def test_background_batch_records_progress_and_outcome(banner, app):
    data = imports.write_csv(rows_for(banner))
    batch = imports.create_batch(banner["period"], data, "scores.csv", "admin", app.instance_path)
    done = imports.run_batch(batch.id, app.instance_path)
    assert done.status == "done" and done.rows_total == 4 and done.rows_imported == 4
    assert imports.run_batch(batch.id, app.instance_path).rows_imported == 4  # a retry is harmless
    bad = imports.create_batch(
        banner["period"], imports.write_csv([["X", "Y", "Z", 1, 1, "", ""]]), "bad.csv", "admin", app.instance_path
    )
    failed = imports.run_batch(bad.id, app.instance_path)
    assert failed.status == "failed" and failed.errors[0]["column"] == "编码"
    assert ImportBatch.select().count() == 2


# ---------------------------------------------------------------- properties

cell = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
)


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(), st.booleans()))
def test_parse_number_returns_decimal_none_or_value_error(value):
    try:
        number = imports.parse_number(value)
    except ValueError:
        return
    assert number is None or number.is_finite()


@given(
    st.dates(min_value=datetime.date(1900, 3, 1)), st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"])
)
def test_parse_date_reads_every_written_format(day, fmt):
    assert imports.parse_date(day.strftime(fmt)) == day
    assert imports.parse_date(datetime.datetime.combine(day, datetime.time(8))) == day


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell, min_size=7, max_size=7), min_size=1, max_size=6), st.booleans())
def test_arbitrary_rows_are_validated_never_crash_and_bad_files_write_nothing(banner, rows, as_xlsx):
    # Mix in some real codes so validation gets past the first column.
    rows = [list(r) for r in rows]
    for n, row in enumerate(rows):
        if n % 2 == 0:
            row[0] = banner["codes"][n % 3]
    rows = [[v.isoformat() if isinstance(v, datetime.date) and not as_xlsx else v for v in row] for row in rows]
    if as_xlsx:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        rows = [
            [
                ILLEGAL_CHARACTERS_RE.sub("", v)
                if isinstance(v, str)
                else ("x" if isinstance(v, float) and (v != v or abs(v) == float("inf")) else v)
                for v in row
            ]
            for row in rows
        ]
        data = imports.write_xlsx(rows)
    else:
        data = imports.write_csv([[("" if v is None else v) for v in row] for row in rows])
    before = ledger_count()
    try:
        result = imports.run(banner["period"], data, "fuzz.xlsx" if as_xlsx else "fuzz.csv", "admin", dry_run=False)
    except imports.ImportFileError:
        assert ledger_count() == before
        return
    if result.errors:
        assert ledger_count() == before
        assert all(e.column in imports.COLUMNS or e.column == "" for e in result.errors)
        assert all(e.row >= 2 for e in result.errors)
    else:
        assert ledger_count() == before + result.written


def test_a_code_cell_holding_a_nul_is_an_unknown_code_not_a_crash(banner):
    # Found by the fuzz above on PostgreSQL: the driver refuses a NUL inside a query parameter.
    c = banner["codes"]
    rows = [["\x00", "巴特尔", "study", "2.00", "1", "2025-03-01", "学习"], [c[0], "巴特尔", "study", "2", "1", "", ""]]
    before = ledger_count()
    result = imports.run(banner["period"], imports.write_csv(rows), "nul.csv", "admin", dry_run=False)
    assert [(e.row, e.column) for e in result.errors][:1] == [(2, imports.COLUMNS[0])]
    assert ledger_count() == before


def test_a_resaved_file_with_other_number_formats_changes_nothing(banner):
    c = banner["codes"]
    first = [[c[0], "巴特尔", "study", "2.00", "1", "2025-03-01", "学习"]]
    imports.run(banner["period"], imports.write_csv(first), "a.csv", "admin", dry_run=False)
    resaved = [[c[0], " 巴特尔 ", "参加集中学习", 2, 1.0, datetime.datetime(2025, 3, 1), "学习"]]
    again = imports.run(banner["period"], imports.write_xlsx(resaved), "a.xlsx", "admin", dry_run=False)
    assert again.ok and again.written == 0 and again.already_imported == 1


def test_zip_bomb_is_refused_before_unpacking():
    import io
    import zipfile
    from starqr.services import imports

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (50 * 1024 * 1024) + b"/>")
    with pytest.raises(imports.ImportFileError, match="过大"):
        list(imports.read_xlsx(packed.getvalue()))


def test_written_files_never_carry_formulas_but_keep_negative_points():
    from starqr.services import imports

    rows = [["ABCDEFGH23", '=HYPERLINK("http://evil.example")', "miss_meeting", "-1", "1", "2026-03-01", "缺席"]]
    text = imports.write_csv(rows).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",-1," in text


def test_row_errors_are_catalogue_templates_read_in_every_language(app, banner):
    """A value given twice for one member, an unknown code: each row error reads in mn and en too."""
    from flask_babel import gettext

    c = banner["codes"]
    rows = [
        [c[2], "王建国", "appraisal_percent", 95, "", "2025-12-20", "民主评议"],
        [c[2], "王建国", "appraisal_percent", 90, "", "2025-12-21", "复核"],
        ["NOSUCHCODE", "某人", "study", "", 1, "", ""],
    ]
    result = imports.run(banner["period"], imports.write_csv(rows), "x.csv", "admin", dry_run=False)
    chinese = [str(e) for e in result.errors]
    assert "已在第2行为同一对象填写" in chinese[0] and chinese[1].endswith("编码 NOSUCHCODE 不存在")
    with app.test_request_context("/?lang=en"):
        english = [e.text(gettext) for e in result.errors]
    with app.test_request_context("/?lang=mn"):
        mongolian = [e.text(gettext) for e in result.errors]
    assert "already given for the same subject in row 2" in english[0] and english[1].endswith(
        "Code NOSUCHCODE does not exist"
    )
    assert "ᠨᠢᠭᠡᠨᠲᠡ 2 ᠳᠦᠭᠡᠷ ᠮᠥᠷ" in mongolian[0] and mongolian[1].endswith("NOSUCHCODE ᠺᠣᠳ ᠪᠠᠶᠢᠬᠤ ᠦᠭᠡᠢ")
    assert ledger_count() == 0
