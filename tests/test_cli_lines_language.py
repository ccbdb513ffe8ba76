"""The CLI's own report lines (init, users, api-token, periods, migrate, pages) read in STARQR_LANG,
like its confirmations and the publish report (tests/test_operator_messages.py)."""

import pytest

from tests.helpers import make_period, make_user


def test_init_reports_in_chinese_by_default(app, cli, monkeypatch):
    monkeypatch.delenv("STARQR_LANG", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    result = cli("init", "--banner", "测试旗委员会", "--admin", "chief")
    assert result.exit_code == 0, result.output
    assert "已创建旗:测试旗委员会" in result.output and ";管理员:chief" in result.output
    assert "一次性密码(只显示这一次,登录后请修改):" in result.output
    assert "已创建台账签名密钥" in result.output and "下一步:starqr template tree" in result.output
    assert "one-time password" not in result.output and "banner created" not in result.output


@pytest.mark.parametrize(
    "lang, created, header, revoked",
    [
        ("zh", "已创建用户 ops(admin)", "名称", "令牌 {id} 已撤销"),
        ("en", "user ops created (admin)", "publish at (UTC)", "token {id} revoked"),
        ("mn", "ops ᠬᠡᠷᠡᠭᠯᠡᠭᠴᠢ ᠶᠢ ᠪᠠᠶᠢᠭᠤᠯᠪᠠ (admin)", "ᠨᠡᠷ᠎ᠡ", "{id} ᠲᠣᠺᠧᠨ ᠢ ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠣᠯᠭᠠᠪᠠ"),
    ],
)
def test_operator_lines_in_each_language(app, cli, monkeypatch, lang, created, header, revoked):
    from starqr.services import api_tokens

    make_period(2025)
    token, _ = api_tokens.create(make_user("admin", "admin"), "nightly export")
    monkeypatch.setenv("STARQR_LANG", lang)
    result = cli("users", "create", "ops", "--role", "admin", "--password", "long-enough-password")
    assert result.exit_code == 0 and result.output.strip() == created, result.output
    listed = cli("periods", "list").output
    assert header in listed.splitlines()[0] and "2025年度" in listed, listed
    result = cli("api-token", "revoke", token.id, "--yes")
    assert result.exit_code == 0 and result.output.strip() == revoked.format(id=token.id), result.output
    result = cli("api-token", "revoke", 99999, "--yes")
    refused = {"zh": "没有编号为 99999 的令牌", "en": "no token 99999", "mn": "99999 ᠳ᠋ᠤᠭᠠᠷ ᠲᠣᠺᠧᠨ ᠦᠭᠡᠢ"}[lang]
    assert result.exit_code == 1 and result.output.strip() == f"Error: {refused}", result.output


@pytest.mark.parametrize(
    "lang, migrated, stats",
    [
        ("zh", ("没有待执行的迁移;新存入 ", " 个评分规则版本"), "0 个页面,存储 0 字节(gzip),未压缩 0 字节"),
        ("en", ("applied 0 migration(s): none pending; stored ", " new rubric version(s)"), "0 pages, 0 bytes stored"),
    ],
)
def test_migrate_and_page_stats_in_the_operators_language(app, cli, monkeypatch, lang, migrated, stats):
    monkeypatch.setenv("STARQR_LANG", lang)
    result = cli("migrate")
    first = result.output.splitlines()[0]
    assert result.exit_code == 0 and first.startswith(migrated[0]) and first.endswith(migrated[1]), first
    result = cli("pages", "stats")
    assert result.exit_code == 0 and stats in result.output, result.output


@pytest.mark.parametrize(
    "lang, empty, checkpoint, usage",
    [
        ("zh", "没有评定期", "检查点 1:0 条记录,链头 ", "请给出 -o FILE 或 --folder DIR 两者之一"),
        ("en", "no rating periods", "checkpoint 1: 0 entries, head ", "give either -o FILE or --folder DIR"),
    ],
)
def test_lists_checkpoints_and_backup_refusals_in_the_operators_language(
    app, cli, monkeypatch, tmp_path, lang, empty, checkpoint, usage
):
    monkeypatch.setenv("STARQR_LANG", lang)
    result = cli("periods", "list")
    assert result.exit_code == 0 and result.output.strip() == empty, result.output
    out = tmp_path / "cp.json"
    result = cli("ledger", "checkpoint", "-o", out)
    written = {"zh": f";已写入 {out}", "en": f"; written to {out}"}[lang]
    assert result.exit_code == 0 and result.output.startswith(checkpoint), result.output
    assert result.output.strip().endswith(written), result.output
    result = cli("backup")
    assert result.exit_code == 2 and usage in result.output, result.output
