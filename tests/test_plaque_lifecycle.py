"""Plaque lifecycle, services and commands, on a real database (SQLite and PostgreSQL)."""

import csv
import io

import openpyxl
import pytest

from starqr.cli import main
from starqr.models import MEMBER, ORGANISATION, Member, Organisation, PlaqueCode, PlaqueEvent
from starqr.services import plaques

BASE_URL = "https://starqr.example.cn"


def _tree():
    banner = Organisation.create(level="banner", domain="rural", name_zh="乌拉特中旗", name_mn="ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤ")
    banner.path = f"/{banner.id}/"
    banner.save()
    town = Organisation.create(parent=banner, level="town", domain="rural", name_zh="海流图镇")
    town.path = f"{banner.path}{town.id}/"
    town.save()
    branch = Organisation.create(
        parent=town, level="branch", domain="community", name_zh="乌兰社区第一党支部", name_mn="ᠤᠯᠠᠭᠠᠨ ᠬᠣᠷᠢᠶ᠎ᠠ"
    )
    branch.path = f"{town.path}{branch.id}/"
    branch.save()
    members = [Member.create(branch=branch, name_zh=name, name_mn="ᠪᠠᠭᠠᠲᠤᠷ") for name in ("巴特尔", "王秀兰", "乌云")]
    return banner, town, branch, members


@pytest.fixture
def tree(app):
    with app.app_context():
        yield _tree()


def test_reissue_replaces_code_and_records_who_and_why(tree):
    _, _, branch, members = tree
    first = plaques.issue(MEMBER, members[0].id, actor="alice")
    assert plaques.issue(MEMBER, members[0].id) == first  # issuing again returns the active one
    new = plaques.reissue(first.code.lower(), actor="bob", reason="lost in a storm")
    old = PlaqueCode.get(PlaqueCode.code == first.code)
    assert new.status == "active" and new.code != first.code and new.version == 2
    assert old.status == "revoked" and old.replaced_by_id == new.id
    assert (old.revoked_by, old.revoke_reason) == ("bob", "lost in a storm")
    events = [(e.plaque.code, e.action, e.actor, e.reason) for e in PlaqueEvent.select().order_by(PlaqueEvent.id)]
    assert events == [
        (first.code, "issued", "alice", None),
        (first.code, "revoked", "bob", "lost in a storm"),
        (new.code, "reissued", "bob", "lost in a storm"),
    ]
    with pytest.raises(plaques.PlaqueError, match=f"^牌匾 {first.code} 已作废$"):
        plaques.reissue(first.code, actor="bob", reason="again")
    with pytest.raises(plaques.PlaqueError, match="^补发牌匾须填写原因$"):
        plaques.reissue(new.code, actor="bob", reason="")
    with pytest.raises(plaques.PlaqueError, match="^作废牌匾须填写原因$"):
        plaques.revoke(new.code, actor="bob", reason="")
    with pytest.raises(plaques.PlaqueError, match="请打印替换它的新牌匾"):
        plaques.plaque_content(old, BASE_URL)


def test_code_never_changes_when_names_change(tree):
    _, _, branch, members = tree
    plaque = plaques.issue(MEMBER, members[0].id)
    before = plaques.plaque_content(plaque, BASE_URL)
    members[0].name_zh = "巴特尔二"
    members[0].save()
    branch.name_zh = "乌兰社区联合党支部"
    branch.save()
    after = plaques.plaque_content(PlaqueCode.get_by_id(plaque.id), BASE_URL)
    assert (after.code, after.url) == (before.code, before.url)
    assert after.url == "HTTPS://STARQR.EXAMPLE.CN/Q/" + plaque.code
    assert (after.name_zh, after.parent_zh) == ("巴特尔二", "乌兰社区联合党支部")


def test_plaques_for_organisation_in_code_order(tree):
    _, town, branch, members = tree
    codes = [plaques.issue(MEMBER, m.id).code for m in members]
    plaques.issue(ORGANISATION, branch.id)
    listed = plaques.plaques_for_organisation(town)
    assert [p.code for p, _, _ in listed] == sorted(codes)
    assert all(parent.id == branch.id for _, _, parent in listed)
    assert len(plaques.plaques_for_organisation(town, include_organisations=True)) == 4
    contents = plaques.sheet_contents(branch, BASE_URL)
    assert [c.code for c in contents] == sorted(codes) and contents[0].kind == MEMBER


def test_cli_plaque_sheet_export_reissue_revoke(app, tree, tmp_path):
    _, town, branch, members = tree
    runner = app.test_cli_runner()
    codes = [plaques.issue(MEMBER, m.id).code for m in members]
    org_code = plaques.issue(ORGANISATION, branch.id).code

    for fmt in ("pdf", "svg", "png"):
        out = tmp_path / f"plaque.{fmt}"
        result = runner.invoke(
            main, ["plaque", org_code.lower(), "--format", fmt, "--size", "door-300x200", "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    result = runner.invoke(
        main,
        [
            "plaque",
            codes[0],
            "--format",
            "png",
            "--size",
            "card-85x54",
            "--dpi",
            "600",
            "--ecc",
            "Q",
            "-o",
            str(tmp_path / "badge.png"),
        ],
    )
    assert result.exit_code == 0, result.output

    sheet = tmp_path / "sheet.pdf"
    result = runner.invoke(main, ["plaques", "sheet", "--org", str(town.id), "--paper", "A3", "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    assert sheet.read_bytes().startswith(b"%PDF")

    result = runner.invoke(main, ["plaques", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == sorted(codes + [org_code])
    assert {r["kind"] for r in rows} == {"member", "organisation"}
    row = next(r for r in rows if r["code"] == codes[0])
    assert row["url"].endswith("/Q/" + codes[0]) and row["organisation"] == "乌兰社区第一党支部"
    xlsx = tmp_path / "codes.xlsx"
    assert runner.invoke(main, ["plaques", "export", "--format", "xlsx", "-o", str(xlsx)]).exit_code == 0
    sheet_rows = list(openpyxl.load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    assert sheet_rows[0] == ("code", "url", "kind", "name", "organisation") and len(sheet_rows) == 5

    result = runner.invoke(main, ["plaques", "reissue", codes[1], "--reason", "damaged", "--by", "secretary", "--yes"])
    assert result.exit_code == 0, result.output
    new_code = result.output.strip()
    assert PlaqueCode.get(PlaqueCode.code == codes[1]).replaced_by.code == new_code
    result = runner.invoke(main, ["plaques", "revoke", codes[2], "--reason", "left the party roll", "--yes"])
    assert result.exit_code == 0 and PlaqueCode.get(PlaqueCode.code == codes[2]).status == "revoked"


@pytest.mark.parametrize(
    "args, message, lang",
    [
        (["plaque", "NOSUCHCODE", "--format", "pdf", "-o", "x.pdf"], "没有编码为 NOSUCHCODE 的牌匾", "zh"),
        (["plaques", "sheet", "--org", "99999", "-o", "x.pdf"], "no organisation with id 99999", "en"),
        (["plaques", "sheet", "--org", "99999", "-o", "x.pdf"], "没有 id 为 99999 的组织", "zh"),
        (["plaques", "revoke", "NOSUCHCODE", "--reason", "x"], "没有编码为 NOSUCHCODE 的牌匾", "zh"),
        (["plaques", "export", "--format", "xlsx"], "give -o FILE.xlsx", "en"),
        (["plaques", "export", "--format", "xlsx"], "请用 -o FILE.xlsx 指定文件", "zh"),
    ],
)
def test_cli_errors_are_clear(app, args, message, lang, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STARQR_LANG", lang)
    with app.app_context():
        result = app.test_cli_runner().invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output


@pytest.mark.parametrize(
    "lang, message",
    [
        ("zh", "Error: 牌匾 {code} 已作废"),
        ("en", "Error: Plaque {code} is already revoked"),
        ("mn", "Error: {code} ᠬᠠᠪᠲᠠᠰᠤ ᠶᠢ ᠨᠢᠭᠡᠨᠲᠡ ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠣᠯᠭᠠᠭᠰᠠᠨ"),
    ],
)
def test_cli_plaque_errors_speak_the_operators_language(app, tree, lang, message, monkeypatch):
    _, _, branch, _ = tree
    code = plaques.issue(ORGANISATION, branch.id).code
    plaques.revoke(code, actor="alice", reason="dissolved")
    monkeypatch.setenv("STARQR_LANG", lang)
    with app.app_context():
        result = app.test_cli_runner().invoke(main, ["plaques", "revoke", code, "--reason", "again", "--yes"])
    assert result.exit_code == 1 and message.format(code=code) in result.output


def test_cli_bad_size_is_a_clear_error(app, tree, tmp_path):
    _, _, branch, _ = tree
    code = plaques.issue(ORGANISATION, branch.id).code
    result = app.test_cli_runner().invoke(
        main, ["plaque", code, "--format", "pdf", "--size", "banner", "-o", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code != 0 and "未知的尺寸 'banner'" in result.output
