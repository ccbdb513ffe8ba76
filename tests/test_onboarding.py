"""A real banner from an empty database: init → tree → roster → re-import → points → rate →
publish → plaques export → every public page answers, transferred badges keep their codes."""

import datetime
import io

from openpyxl import load_workbook

from starqr.models import MEMBER, AuditLog, Member, Organisation, PlaqueCode, User
from starqr.services import imports, ratings, rubric_assignments
from starqr.services.imports import roster_apply, tree
from tests import onboarding_files as files
from tests.helpers import make_period


def _codes(kind):
    return dict(
        PlaqueCode.select(PlaqueCode.subject_id, PlaqueCode.code)
        .where(PlaqueCode.subject_kind == kind, PlaqueCode.status == "active")
        .tuples()
    )


def test_init_refuses_a_second_time(app, cli, monkeypatch):
    monkeypatch.setenv("STARQR_LANG", "en")  # the Chinese lines: tests/test_cli_lines_language.py
    first = cli("init", "--banner", "测试旗委员会", "--admin", "chief")
    assert first.exit_code == 0, first.output
    assert "one-time password" in first.output
    assert "ledger signing key" in first.output  # l09: init makes the checkpoint key outside the database
    monkeypatch.setenv("STARQR_LANG", "zh")
    second = cli("init", "--banner", "别的旗", "--admin", "other", "--password-stdin", input="another-password-1\n")
    assert second.exit_code == 1 and "空数据库" in second.output
    assert Organisation.select().count() == 1 and User.select().count() == 1


def test_onboarding_end_to_end(app, cli, client, tmp_path):
    result = cli(
        "init", "--banner", "测试旗委员会", "--admin", "chief", "--password-stdin", input="a-long-password-1\n"
    )
    assert result.exit_code == 0, result.output
    rows, branches = files.tree_rows()
    path = tmp_path / "tree.xlsx"
    path.write_bytes(files.xlsx(rows, files.TREE_HEADER))
    result = cli("orgs", "import", path)
    assert result.exit_code == 0, result.output
    assert Organisation.select().count() == 54
    assert Organisation.select().where(Organisation.level == "branch").count() == 30
    assert {o.domain for o in Organisation.select().where(Organisation.level == "branch")} == {
        "rural",
        "community",
        "organ",
        "state_enterprise",
        "private_enterprise",
        "social",
    }
    again = cli("orgs", "import", path)
    assert "新增 0,修改 0,调动 0,未变 54" in again.output
    listing = cli("orgs", "list", "--under", "T1")
    assert listing.exit_code == 0 and "T1" in listing.output and "T0\t" not in listing.output

    roster = files.roster_rows(branches, 500)
    (tmp_path / "roster.csv").write_bytes(files.csv(roster, files.ROSTER_HEADER))
    result = cli("members", "import", tmp_path / "roster.csv")
    assert result.exit_code == 0, result.output
    assert Member.select().count() == 500
    badge = _codes(MEMBER)
    assert len(badge) == 500

    # Re-import: 10 changed fields, 5 transfers between branches rated by different rubrics.
    rural = [b for i, b in enumerate(branches) if i % 6 == 0]
    soe = [b for i, b in enumerate(branches) if i % 6 == 3]
    movers = [r for r in roster if r[3] in rural][:5]
    for row in movers:
        row[3] = soe[0]
    for n, row in enumerate(roster[100:110]):
        row[1 if n % 2 else 7] = f"新值{n}"
    preview = roster_apply.run(files.xlsx(roster, files.ROSTER_HEADER), "roster2.xlsx", "chief", dry_run=True)
    assert preview.ok and len(preview.moved) == 5 and len(preview.updated) == 10 and not preview.created
    assert not preview.applied and Member.get(Member.member_number == movers[0][0]).branch.code in rural
    applied = roster_apply.run(files.xlsx(roster, files.ROSTER_HEADER), "roster2.xlsx", "chief", dry_run=False)
    assert applied.applied and len(applied.moved) == 5
    moved = Member.select().where(Member.member_number.in_([r[0] for r in movers]))
    assert {m.branch.code for m in moved} == {soe[0]}
    assert _codes(MEMBER) == badge  # the badge follows the person
    branch_of = {m.id: m.branch for m in moved}
    assert {rubric_assignments.effective_rubric(b, scope="member")[0] for b in branch_of.values()} == {
        "soe_member_four_excellent"
    }
    assert AuditLog.select().where(AuditLog.action == "member.transfer").count() == 5
    unchanged = roster_apply.run(files.xlsx(roster, files.ROSTER_HEADER), "roster2.xlsx", "chief", dry_run=False)
    assert not unchanged.applied and unchanged.unchanged == 500

    # A rubric for a subtree, inherited downward, applies from the next unscheduled period.
    town = Organisation.get(Organisation.code == "T1")
    rubric_assignments.assign(User.get(), town, "branch_quota", subtree=True, reason="试点")
    under = Organisation.select().where(Organisation.path.startswith(town.path), Organisation.level == "branch").first()
    key, why = rubric_assignments.effective_rubric(under)
    assert key == "branch_quota" and "继承" in why
    assert Organisation.get_by_id(under.id).rubric_key == "branch_quota"  # materialised for scans and ratings

    # Points, rating, publication, plaques.
    period = make_period(datetime.date.today().year)
    codes = _codes(MEMBER)
    member_points = [m for m in Member.select() if m.branch.domain in ("rural", "community")][:40]
    points_rows = [[codes[m.id], m.name_zh, "study", "", 1, f"{period.year}-03-01", "学习"] for m in member_points]
    (tmp_path / "points.csv").write_bytes(imports.write_csv(points_rows))
    result = cli("import", tmp_path / "points.csv", "--period", period.id)
    assert result.exit_code == 0, result.output
    assert ratings.rate(period) > 500
    from starqr.models import Rating

    rated = Rating.get(Rating.subject_kind == "organisation", Rating.subject_id == under.id)
    assert rated.rubric.key == "branch_quota"
    assert ratings.publish(period) > 500
    result = cli("plaques", "export", "--format", "csv", "-o", tmp_path / "codes.csv")
    assert result.exit_code == 0, result.output
    exported = (tmp_path / "codes.csv").read_text("utf-8-sig")
    assert all(code in exported for code in codes.values())
    for code in list(codes.values()) + list(_codes("organisation").values()):
        assert client.get(f"/Q/{code}").status_code == 200, code
    assert _codes(MEMBER) == badge

    # The ratings record: organisations and members, numbers as numbers, dates as dates.
    out = tmp_path / "ledger.xlsx"
    result = cli("ratings", "export", period.id, "--format", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(io.BytesIO(out.read_bytes()))
    assert workbook.sheetnames == ["党组织", "党员"]
    members_sheet = workbook["党员"]
    assert members_sheet.freeze_panes == "A2" and members_sheet.max_row == 501
    first = [c.value for c in members_sheet[2]]
    assert isinstance(first[6], (int, float)) and isinstance(first[7], int)
    assert isinstance(first[12], datetime.datetime) and first[11] == "公示中"
    result = cli("ratings", "export", period.id, "--format", "csv", "--under", "T1", "-o", tmp_path / "t1.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t1-党员.csv").read_text("utf-8-sig").count("\n") < 501


def test_tree_import_moves_and_gbk(app):
    from tests.helpers import make_user

    rows, _branches = files.tree_rows()
    rows[0][2] = ""  # GBK cannot hold Mongolian script
    first = tree.run(files.csv(rows, files.TREE_HEADER, "gbk"), "tree.csv", "cli", dry_run=False)
    assert first.ok and len(first.created) == 54, first.error_lines()
    branch = Organisation.get(Organisation.code == "B00")
    old_path = branch.path
    moved = [list(r) for r in rows]
    for r in moved:
        if r[0] == "U00":
            r[3] = "T2"
    preview = tree.run(files.xlsx(moved, files.TREE_HEADER), "tree.xlsx", "cli", dry_run=True)
    assert [c.key for c in preview.moved] == ["U00"] and preview.moved[0].fields["上级组织编码"] == ("T0", "T2")
    tree.run(files.xlsx(moved, files.TREE_HEADER), "tree.xlsx", "cli", dry_run=False)
    unit = Organisation.get(Organisation.code == "U00")
    assert unit.parent.code == "T2"
    children = Organisation.select().where(Organisation.parent == unit)
    assert all(c.path.startswith(unit.path) for c in children)
    assert Organisation.get(Organisation.code == "B00").path.startswith(unit.path) and old_path != unit.path
    # A town administrator imports only within the town.
    town = Organisation.get(Organisation.code == "T0")
    user = make_user("town", "org_admin", town)
    outside = tree.run(files.xlsx(moved, files.TREE_HEADER), "tree.xlsx", user, dry_run=True)
    assert not outside.ok and any("管理范围" in str(e) for e in outside.errors)


def test_assignment_inherited_and_left_behind_on_a_move(app):
    from starqr.services import organisations, rubrics

    rubrics.sync_shipped()
    rows, _branches = files.tree_rows()
    assert tree.run(files.xlsx(rows, files.TREE_HEADER), "tree.xlsx", "cli", dry_run=False).ok
    town0, town2 = Organisation.get(Organisation.code == "T0"), Organisation.get(Organisation.code == "T2")
    rubric_assignments.assign("cli", town0, "member_points_strict", subtree=True, reason="96/90/80/70/60")
    unit = Organisation.get(Organisation.code == "U00")
    branch = Organisation.select().where(Organisation.parent == unit).first()
    assert branch.member_rubric_key == "member_points_strict"
    key, why = rubric_assignments.effective_rubric(branch, scope="member")
    assert key == "member_points_strict" and "T0" not in why and "第1镇党委" in why
    organisations.move("cli", unit, town2)
    branch = Organisation.get_by_id(branch.id)
    assert branch.member_rubric_key is None and branch.path.startswith(Organisation.get_by_id(unit.id).path)
    assert rubric_assignments.effective_rubric(branch, scope="member")[0] == "member_points"
