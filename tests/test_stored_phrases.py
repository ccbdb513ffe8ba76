"""Sentences StarQR writes or computes in Chinese reach every reader in their language: stored ones
(corrections, an archived organisation's plaque note, a stopped import) are read back as Phrases,
and pages render a Phrase through the page's catalogue."""

import re

import pytest
from babel.support import Translations
from flask import render_template_string

from tests.helpers import login_new_user, make_member, make_period, make_tree, record, table_counts
from starqr import job_limits, ledger, phrases, tasks
from starqr.cli.language import TRANSLATIONS
from starqr.models import ImportBatch
from starqr.errors import N_, Invalid
from starqr.services import imports, jobs_health
from starqr.services.consoles import audit_words
from starqr.services.imports.errors import RowError

MONGOLIAN = Translations.load(TRANSLATIONS, ["mn"]).gettext
ENGLISH = Translations.load(TRANSLATIONS, ["en"]).gettext


@pytest.mark.parametrize(
    "code, params",
    [
        ("ledger_correction", {"reason": "录入错误"}),
        ("objection_correction", {"reference": "Y2025-0007", "reason": "学习"}),
        ("objection_rerated", {"reference": "Y2025-0007"}),
        ("rerated", {}),
        ("contest_rank", {"contest": "拉练观摩", "rank": "2"}),
        ("contest_evidence", {"id": "3", "contest": "拉练观摩", "judges": "5", "score": "88.50"}),
        ("organisation_dissolved", {}),
        ("organisation_merged", {"name": "巴音支部"}),
    ],
)
def test_a_stored_sentence_reads_back_as_its_phrase(code, params):
    text = phrases.stored(code, **params)
    phrase = phrases.read(text)
    assert type(text) is str and phrase == text  # what the database keeps is the Chinese text
    assert phrase.code == code and phrase.params == params
    assert phrase.text(MONGOLIAN) != text and all(value in phrase.text(MONGOLIAN) for value in params.values())


def test_typed_text_stays_as_it_is_and_a_correction_of_a_correction_reads_whole():
    assert phrases.read("参加学习") == "参加学习" and not isinstance(phrases.read("参加学习"), phrases.Phrase)
    twice = phrases.read(phrases.stored("ledger_correction", reason=phrases.stored("ledger_correction", reason="错")))
    assert twice.text(MONGOLIAN) == "ᠵᠠᠰᠠᠪᠤᠷᠢ: ᠵᠠᠰᠠᠪᠤᠷᠢ: 错"


def test_pages_render_a_phrase_in_the_page_language(app):
    dissolved = phrases.read(phrases.stored("organisation_dissolved"))
    for lang, expected in (
        ("zh", "组织已撤销"),
        ("mn", "ᠪᠠᠶᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ ᠲᠠᠷᠠᠭᠠᠭᠳᠠᠪᠠ"),
        ("en", "The organisation was dissolved"),
    ):
        with app.test_request_context(f"/?lang={lang}"):
            assert render_template_string("{{ note }}|{{ plain }}", note=dissolved, plain="组织已撤销") == (
                f"{expected}|组织已撤销"
            )


def test_why_an_organisation_has_its_rubric_reads_in_mongolian(app, client):
    tree = make_tree()
    login_new_user(client, "why_admin", "admin")
    page = client.get(f"/console/organisations?org={tree['branch'].id}", headers={"Accept-Language": "mn"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "ᠰᠠᠯᠪᠤᠷᠢ ᠶᠢᠨ ᠠᠶᠠᠳᠠᠯ ᠦᠨᠡᠯᠡᠬᠦ ᠪᠠᠷᠢᠮᠵᠢᠶ᠎ᠠ" in text, text[-2000:]
    assert "的默认标准" not in text


def test_a_stopped_import_keeps_its_template_and_old_rows_still_read(app, client):
    tree = make_tree()
    user = login_new_user(client, "importer", "admin")
    batch = ImportBatch.create(
        kind="points", filename="x.csv", file_sha256="0" * 64, status="running", created_by=user.username
    )
    before = table_counts()
    assert jobs_health.fail_import(batch.id, jobs_health.WORKER_DIED_MESSAGE, code="worker_died")
    assert table_counts() == before  # stopping an import writes nothing but the batch's own status and reason
    stored = ImportBatch.get_by_id(batch.id).errors[0]
    assert ImportBatch.get_by_id(batch.id).status == "failed"
    assert stored["text"] == jobs_health.WORKER_DIED_MESSAGE and stored["code"] == "worker_died"
    assert stored["template"] == jobs_health.WORKER_DIED_MESSAGE and stored["params"] == {}
    assert RowError.from_dict(stored).text(MONGOLIAN).startswith("ᠠᠷᠤ ᠲᠠᠯ᠎ᠠ ᠶᠢᠨ ᠠᠵᠢᠯ")
    # A second stop (a sweep, a late failure) does not overwrite the first reason.
    assert not jobs_health.fail_import(batch.id, job_limits.REASONS["timeout"], code="job_timeout", limit=60)
    assert ImportBatch.get_by_id(batch.id).errors == [stored]
    for lang, reason, state in (
        ("zh", jobs_health.WORKER_DIED_MESSAGE, "失败,未写入任何数据"),
        ("mn", RowError.from_dict(stored).text(MONGOLIAN), "ᠪᠦᠲᠦᠯᠲᠡ ᠦᠭᠡᠢ᠂ ᠶᠠᠮᠠᠷ ᠴᠤ ᠮᠡᠳᠡᠭᠡ ᠪᠢᠴᠢᠭᠳᠡᠭᠰᠡᠨ ᠦᠭᠡᠢ"),
        ("en", "The background worker stopped during the import", "Failed; nothing was written"),
    ):
        page = client.get(f"/console/imports/{batch.id}", headers={"Accept-Language": lang})
        text = page.get_data(as_text=True)
        shown = re.search(r'<ul class="flash flash-error" role="alert" id="batch-errors"><li>([^<]*)</li></ul>', text)
        assert page.status_code == 200 and shown and state in text, text[-3000:]
        assert shown.group(1).startswith(reason) and (lang == "zh") == ("本次导入未完成" in shown.group(1))

    # A reason with a parameter keeps its template and the parameter, and reads in the page's language.
    limited = ImportBatch.create(
        kind="points", filename="y.csv", file_sha256="1" * 64, status="running", created_by=user.username
    )
    assert jobs_health.fail_import(limited.id, job_limits.REASONS["timeout"], code="job_timeout", limit=60)
    stored = ImportBatch.get_by_id(limited.id).errors[0]
    assert stored["template"] == job_limits.REASONS["timeout"] and stored["params"] == {"limit": 60}
    assert stored["text"] == "导入超过时间上限(60 秒)被中止,未导入任何数据;请拆分文件后重试"
    page = client.get(f"/console/imports/{limited.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The import ran past its time limit (60 seconds) and was stopped; nothing was imported." in page
    assert "导入超过时间上限" not in page

    # A row stored before reasons kept their template (message and text only) reads as it was stored.
    old = {"row": 0, "column": "", "code": "job_timeout", "message": "导入超过时间上限(60 秒)被中止", "text": "x"}
    assert RowError.from_dict(old).text(MONGOLIAN) == "导入超过时间上限(60 秒)被中止"  # as it was stored
    earlier = ImportBatch.create(
        kind="points", filename="z.csv", file_sha256="2" * 64, status="failed", created_by=user.username, errors=[old]
    )
    page = client.get(f"/console/imports/{earlier.id}", headers={"Accept-Language": "mn"})
    assert page.status_code == 200 and "<li>导入超过时间上限(60 秒)被中止</li>" in page.get_data(as_text=True)
    assert tree["branch"].id and ImportBatch.select().where(ImportBatch.status == "failed").count() == 3


def test_audit_values_read_in_the_readers_language():
    assert audit_words._value("active", True, {}).text(MONGOLIAN) == "ᠲᠡᠢᠮᠦ"
    assert audit_words._value("phone", "(已修改)", {}).text(MONGOLIAN) == "(ᠥᠭᠡᠷᠡᠴᠢᠯᠡᠭᠰᠡᠨ)"
    assert audit_words._value("reason", "参加学习", {}) == "参加学习"


def test_a_correction_on_the_console_member_page_reads_in_mongolian(app, client):
    tree = make_tree()
    member = make_member(tree["branch"])
    entry = record(member, make_period(year=2025), "study", 2, reason="参加学习")
    ledger.correct(entry, "录错了", "admin")
    login_new_user(client, "ledger_admin", "admin")
    page = client.get(f"/console/members/{member.id}", headers={"Accept-Language": "mn"}).get_data(as_text=True)
    assert "ᠵᠠᠰᠠᠪᠤᠷᠢ: 录错了" in page and "参加学习" in page and "更正:" not in page, page[-3000:]


REFUSAL = N_("组织编码 %(org_code)s 不存在")


def test_an_import_a_starqr_error_stopped_reads_in_the_readers_language(app, client, monkeypatch):
    login_new_user(client, "job_admin", "admin")
    batch = ImportBatch.create(
        kind="points", filename="x.csv", file_sha256="0" * 64, status="pending", created_by="job_admin"
    )

    def refuse(*args, **kwargs):
        raise Invalid(REFUSAL, org_code="X9")

    monkeypatch.setattr(imports, "run_batch", refuse)
    with app.app_context():
        try:
            tasks.import_task(batch.id, None)
        except Invalid:
            pass
    stored = ImportBatch.get_by_id(batch.id).errors[0]
    assert (stored["template"], stored["params"], stored["code"]) == (REFUSAL, {"org_code": "X9"}, "invalid")
    assert RowError.from_dict(stored).text(MONGOLIAN) == "X9 ᠺᠣᠳ ᠲᠠᠢ ᠪᠠᠶᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ ᠦᠭᠡᠢ"
    for lang, expected in (("zh", "组织编码 X9 不存在"), ("en", "No organisation with code X9")):
        for path in (f"/console/imports/{batch.id}", "/console/imports"):  # the batch, the failed-jobs card
            page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
            assert expected in page and (lang == "zh" or "组织编码 X9" not in page), (path, lang)
    mongolian = client.get("/console/imports?lang=mn").get_data(as_text=True)
    assert "X9 ᠺᠣᠳ ᠲᠠᠢ ᠪᠠᠶᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ ᠦᠭᠡᠢ" in mongolian and "组织编码 X9" not in mongolian


def test_an_unexpected_error_is_its_detail_and_an_old_record_reads_as_stored():
    record = jobs_health.error_record(ValueError("boom"))
    assert record["params"] == {"detail": "ValueError: boom"} and record["text"] == "导入意外中止:ValueError: boom"
    assert RowError.from_dict(record).text(ENGLISH) == "The import stopped unexpectedly: ValueError: boom"
    old = {"row": 0, "column": "", "code": "job_error", "template": "导入意外中止:%(limit)s"}
    old["params"] = {"limit": "Invalid: 组织编码 X9 不存在"}
    assert RowError.from_dict(old).text(ENGLISH) == "导入意外中止:Invalid: 组织编码 X9 不存在"
