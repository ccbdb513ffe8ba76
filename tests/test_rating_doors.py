"""Value items mean the same through every door; held subjects, pinned periods and signed
checkpoints are visible where people look (console, API, CLI)."""

import datetime
import json
from decimal import Decimal

from starqr import checkpoint_verification, checkpoints, ledger
from starqr.models import MEMBER, LedgerCheckpoint, LedgerEntry, LedgerHead, Objection, RatingPeriod
from starqr.services import administration, api_tokens, imports, objections, ratings
from tests.helpers import (
    issue_code,
    login,
    login_new_user,
    make_member,
    make_org,
    make_period,
    make_tree,
    make_unratable_member,
    make_user,
    member_form,
    publish_rated_member,
    record,
)

NOW = datetime.datetime(2026, 1, 15, 1, 0)


def value_in_use(member, period, item="appraisal_percent"):
    return ratings.ledger_values(period)[(MEMBER, member.id)].get(item)


# ---------------------------------------------------------------- value items through every door


def test_value_items_take_the_latest_entry_through_every_door(app, client, cli):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"], "王芳")
    code = issue_code(member).code
    make_user("sec", "secretary", tree["branch"])
    secretary = make_user("sec_api", "secretary", tree["branch"])
    token = api_tokens.create(secretary, "test")[1]

    # console: the first value is saved at once
    login(client, "sec")
    form = {"period": period.id, "item": "appraisal_percent", "value": "60", "reason": "民主评议"}
    assert client.post(f"/console/members/{member.id}/points", data=form).status_code == 302
    # a second value: the page says what it replaces, before anything is saved
    page = client.get(f"/console/members/{member.id}/points").get_data(as_text=True)
    assert "再次填写将替换" in page and "60" in page
    response = client.post(f"/console/members/{member.id}/points", data={**form, "value": "80"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "将替换" in text and "60" in text
    assert LedgerEntry.select().where(LedgerEntry.subject_id == member.id).count() == 1
    response = client.post(
        f"/console/members/{member.id}/points", data={**form, "value": "80", "replace_confirmed": "y"}
    )
    assert response.status_code == 302
    assert value_in_use(member, period) == 80

    # API: the same rule
    body = {
        "subject_kind": "member",
        "subject_id": member.id,
        "period_id": period.id,
        "item": "appraisal_percent",
        "value": 70,
        "reason": "复核",
    }
    response = client.post("/api/v1/ledger", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert value_in_use(member, period) == 70

    # import: the value itself replaces the current one
    rows = [[code, "王芳", "appraisal_percent", 90, 1, "", "导入"]]
    assert imports.run(period, imports.write_csv(rows), "x.csv", "admin", dry_run=False).written == 1
    assert value_in_use(member, period) == 90

    # a correction reverses the latest value: the one before it is back in use
    newest = LedgerEntry.select().where(LedgerEntry.subject_id == member.id).order_by(LedgerEntry.id.desc()).first()
    ledger.correct(newest, "导入错了", "admin")
    assert value_in_use(member, period) == 70
    ratings.rate(period)
    # nothing exceeds the item's maximum: 50 + 70 × 0.2
    assert ratings.compute(period)[(MEMBER, member.id)][1].total == 64.0

    # CLI: rate and publish say nothing is held
    result = cli("publish", "2025")
    assert result.exit_code == 0 and "暂缓" not in result.output


def test_events_still_accumulate(app):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"])
    for _ in range(3):
        record(member, period, "study", 2)
    assert value_in_use(member, period, "study") == 6


# ---------------------------------------------------------------- held subjects where people look


def test_held_subject_is_listed_in_console_api_and_cli(app, client, cli):
    tree, period, broken, fine = make_unratable_member()
    admin = make_user("admin", "admin")
    token = api_tokens.create(admin, "t")[1]
    result = cli("publish", "2025")
    assert result.exit_code == 0, result.output
    assert "1 个暂缓评定" in result.output and "坏数据" in result.output and "160" in result.output
    assert "Traceback" not in result.output
    login(client, "admin")
    page = client.get(f"/console/admin/periods/{period.id}").get_data(as_text=True)
    assert "坏数据" in page and "超出了允许范围" in page
    data = client.get(f"/api/v1/periods/{period.id}", headers={"Authorization": f"Bearer {token}"}).json
    assert [h["subject_id"] for h in data["held"]] == [broken.id]
    assert data["held"][0]["code"] == "value_out_of_range" and "160" in data["held"][0]["reason"]
    english = client.get(f"/api/v1/periods/{period.id}?lang=en", headers={"Authorization": f"Bearer {token}"}).json
    assert english["held"][0]["reason"]


def test_publish_fails_in_one_line_only_when_nothing_could_be_done(app, cli):
    tree = make_tree()
    period = make_period(2025)
    only = make_member(tree["branch"], "唯一")
    ledger.append([ledger.NewEntry(MEMBER, only.id, period.id, "appraisal_percent", Decimal(500), "旧", "x")])
    # the branch itself is rated too: hold it with a broken score
    ledger.append(
        [ledger.NewEntry("organisation", tree["branch"].id, period.id, "strong_leadership", Decimal(400), "旧", "x")]
    )
    result = cli("publish", "2025")
    assert result.exit_code != 0
    assert "没有发布任何评定结果" in result.output and "Traceback" not in result.output


def test_publish_due_reports_held_and_objection_holds(app, cli):
    tree, period, broken, fine = make_unratable_member()
    ratings.schedule(period, NOW)
    result = cli("publish", "--due", "--now", NOW.isoformat())
    assert result.exit_code == 0 and "暂缓评定党员" in result.output and "坏数据" in result.output
    code = issue_code(fine)
    objections.create(code, "评议数据有误，请复核", now=NOW)
    later = NOW + datetime.timedelta(days=6)
    result = cli("publish", "--due", "--now", later.isoformat())
    assert result.exit_code == 0 and "1 条异议待处理" in result.output
    assert RatingPeriod.get_by_id(period.id).state == "notice"


# ---------------------------------------------------------------- transfers and pinning in the console


def test_transferred_members_entries_show_as_not_counted(app, client):
    tree = make_tree()
    soe = make_org(tree["town"], "branch", "state_enterprise", "国企支部")
    period = make_period(2025)
    member = make_member(tree["branch"], "调动")
    record(member, period, "study", 2)
    member.branch = soe
    member.save()
    login_new_user(client, "admin", "admin")
    page = client.get(f"/console/members/{member.id}").get_data(as_text=True)
    assert "不计入现行评分标准" in page
    ratings.rate(period)
    assert ratings.holds(period) == []


def test_rubric_page_says_which_periods_a_new_version_affects(app, client):
    tree = make_tree()
    draft = make_period(2026)
    published = make_period(2025)
    member = make_member(tree["branch"])
    record(member, published, "appraisal_percent", 90)
    ratings.publish(published, NOW)
    login_new_user(client, "admin", "admin")
    page = client.get("/console/admin/rubrics/member_points").get_data(as_text=True)
    section = page[page.index('id="rubric-periods"') :]
    section = section[: section.index("</p>")]
    affected, protected = section.split("不会影响")
    assert draft.name in affected and published.name in protected


# ---------------------------------------------------------------- the notice waits for objections


def test_answering_the_last_objection_finalises(app):
    period, member, code = publish_rated_member("甲", 80, NOW)
    first = objections.create(code, "第一条异议内容很具体", now=NOW)
    second = objections.create(code, "第二条异议内容很具体", now=NOW)
    end = NOW + datetime.timedelta(days=10)
    assert ratings.finalise(RatingPeriod.get_by_id(period.id), end) is False
    admin = make_user("admin", "admin")
    administration.resolve_objection(
        admin, Objection.get_by_id(first.id), True, "核实后更正", item="appraisal_percent", points=Decimal(85), now=end
    )
    assert RatingPeriod.get_by_id(period.id).state == "notice"
    assert ratings.ledger_values(period)[(MEMBER, member.id)]["appraisal_percent"] == 85
    administration.resolve_objection(admin, Objection.get_by_id(second.id), False, "无误", now=end)
    assert RatingPeriod.get_by_id(period.id).state == "final"


# ---------------------------------------------------------------- signed checkpoints


def _ledger_with_entries(n=8):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"])
    for _ in range(n):
        record(member, period, "study", 2)
    return period


def test_checkpoint_export_and_verify(app, cli, tmp_path, monkeypatch):
    _ledger_with_entries()
    out = tmp_path / "cp.json"
    result = cli("ledger", "checkpoint", "-o", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["entry_count"] == 8 and len(data["signature"]) == 128
    monkeypatch.setenv("STARQR_LANG", "en")
    result = cli("ledger", "verify", "--checkpoint", out)
    assert result.exit_code == 0 and "1 signed checkpoint" in result.output
    monkeypatch.setenv("STARQR_LANG", "zh")
    result = cli("ledger", "verify", "--checkpoint", out)
    assert result.exit_code == 0 and "1 个已签名检查点;延续" in result.output, result.output
    # anyone holding only the public key can check it
    result = cli("ledger", "verify", "--checkpoint", out, "--public-key", data["public_key"])
    assert result.exit_code == 0


def test_deleting_the_newest_entries_is_caught_with_an_old_checkpoint(app, cli, tmp_path):
    _ledger_with_entries(10)
    out = tmp_path / "cp.json"
    assert cli("ledger", "checkpoint", "-o", out).exit_code == 0
    # the insider deletes the newest 5 entries, the stored checkpoints, and fixes the head
    newest = [e.id for e in LedgerEntry.select().order_by(LedgerEntry.id.desc()).limit(5)]
    LedgerEntry.delete().where(LedgerEntry.id.in_(newest)).execute()
    LedgerCheckpoint.delete().execute()
    last = LedgerEntry.select().order_by(LedgerEntry.id.desc()).first()
    LedgerHead.update(last_entry_id=last.id, last_hash=last.entry_hash).execute()
    assert cli("ledger", "verify").exit_code == 0  # the chain alone looks intact
    result = cli("ledger", "verify", "--checkpoint", out)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "does not extend the checkpoint file" in result.output and "deleted" in result.output


def test_a_wrong_signature_on_a_stored_checkpoint_is_caught(app, cli):
    _ledger_with_entries(3)
    assert cli("ledger", "checkpoint").exit_code == 0
    stored = LedgerCheckpoint.select().first()
    forged = ("0" if stored.signature[0] != "0" else "1") + stored.signature[1:]
    LedgerCheckpoint.update(signature=forged).execute()
    result = cli("ledger", "verify")
    assert result.exit_code != 0 and "wrong signature" in result.output and "Traceback" not in result.output


def test_checkpoint_signed_by_another_key_is_not_trusted(app, cli, tmp_path):
    _ledger_with_entries(3)
    checkpoints.ensure_key()
    from nacl.signing import SigningKey

    other = SigningKey.generate()
    count, last_id, head = checkpoints.chain_head()
    signed_at = "2026-01-01T00:00:00Z"
    signature = other.sign(checkpoints.message(count, last_id, head, signed_at)).signature.hex()
    LedgerCheckpoint.create(
        entry_count=count,
        last_entry_id=last_id,
        head_hash=head,
        signed_at=signed_at,
        public_key=other.verify_key.encode().hex(),
        signature=signature,
    )
    result = cli("ledger", "verify")
    assert result.exit_code != 0 and "not this ledger's signing key" in result.output


def test_publication_writes_a_checkpoint_and_migrate_makes_the_key(app, cli, tmp_path):
    period = _ledger_with_entries(2)
    ratings.publish(period, NOW)
    assert LedgerCheckpoint.select().where(LedgerCheckpoint.reason == "publication").count() == 1
    assert checkpoint_verification.verify() == []
    path, created = checkpoints.ensure_key(str(tmp_path / "new.key"))
    assert created and oct((tmp_path / "new.key").stat().st_mode)[-3:] == "600"
    assert checkpoints.ensure_key(str(tmp_path / "new.key")) == (str(tmp_path / "new.key"), False)


# ---------------------------------------------------------------- what the public sees


def test_notice_page_shows_checkpoint_and_a_correction_is_announced(app, client):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"], "公示人")
    entry = record(member, period, "miss_meeting", -1)
    record(member, period, "appraisal_percent", 90)
    code = issue_code(member).code
    ratings.publish(period, NOW)
    page = client.get(f"/Q/{code}").get_data(as_text=True)
    assert 'id="ledger-checkpoint"' in page
    data = client.get(f"/Q/{code}.json").json
    checkpoint = data["notice"]["ledger_checkpoint"]
    assert checkpoint["entry_count"] == 2 and len(checkpoint["signature"]) == 128
    ledger.correct(entry, "请假手续齐全", "admin")
    ratings.freeze(RatingPeriod.get_by_id(period.id), NOW + datetime.timedelta(days=1), reason="异议成立")
    page = client.get(f"/Q/{code}").get_data(as_text=True)
    assert 'id="correction"' in page and "异议成立" in page and "2026" in page
    data = client.get(f"/Q/{code}.json").json
    assert data["latest"]["corrected"] and data["latest"]["corrected_at"].startswith("2026-01-16")


def test_merkle_consistency_proof_between_two_exported_checkpoints(app, cli, tmp_path, monkeypatch):
    period = _ledger_with_entries(5)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert cli("ledger", "checkpoint", "-o", old).exit_code == 0
    member = LedgerEntry.select().first()
    for _ in range(6):
        ledger.append([ledger.NewEntry(MEMBER, member.subject_id, period.id, "study", Decimal(2), "又一次", "x")])
    result = cli("ledger", "checkpoint", "-o", new, "--since", old)
    assert result.exit_code == 0, result.output
    assert json.loads(new.read_text())["consistency"]["from_size"] == 5
    monkeypatch.setenv("STARQR_LANG", "en")
    result = cli("ledger", "check-proof", old, new)
    assert result.exit_code == 0 and "proven" in result.output
    monkeypatch.setenv("STARQR_LANG", "zh")
    result = cli("ledger", "check-proof", old, new)
    assert result.exit_code == 0 and "已证明:" in result.output and "原样延续" in result.output, result.output
    monkeypatch.setenv("STARQR_LANG", "en")
    assert cli("ledger", "verify", "--checkpoint", old).exit_code == 0
    # a forged proof, or a proof against someone else's checkpoint, fails in one line
    data = json.loads(new.read_text())
    data["consistency"]["proof"][0] = "00" * 32
    new.write_text(json.dumps(data))
    result = cli("ledger", "check-proof", old, new)
    assert result.exit_code != 0 and "not proven" in result.output and "Traceback" not in result.output
    monkeypatch.setenv("STARQR_LANG", "zh")
    result = cli("ledger", "check-proof", old, new)
    assert result.exit_code != 0 and "未能证明:" in result.output and "Traceback" not in result.output


def test_rebuilt_chain_cannot_get_a_consistency_proof(app, cli, tmp_path):
    _ledger_with_entries(4)
    old = tmp_path / "old.json"
    assert cli("ledger", "checkpoint", "-o", old).exit_code == 0
    first = LedgerEntry.select().order_by(LedgerEntry.id).first()
    LedgerEntry.update(entry_hash="ab" * 32).where(LedgerEntry.id == first.id).execute()
    result = cli("ledger", "checkpoint", "-o", tmp_path / "new.json", "--since", old)
    assert result.exit_code != 0 and "不是较早检查点的延续" in result.output
    result = cli("ledger", "verify")
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_cli_import_door_replaces_a_value(app, cli, tmp_path):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"], "命令行")
    code = issue_code(member).code
    record(member, period, "appraisal_percent", 60)
    path = tmp_path / "values.csv"
    path.write_bytes(imports.write_csv([[code, "命令行", "appraisal_percent", 75, 1, "", "复评"]]))
    result = cli("import", path, "--period", "2025")
    assert result.exit_code == 0, result.output
    assert value_in_use(member, period) == 75  # replaced, not 135


def test_reassigning_a_branch_never_changes_a_scheduled_period(app):
    tree = make_tree()
    period = make_period(2025)
    for item in ("strong_leadership", "pioneer_members"):
        record(tree["branch"], period, item, 90)
    ratings.schedule(period, NOW)
    tree["branch"].rubric_key = "branch_five_strong"  # re-assigned after scheduling
    tree["branch"].save()
    ratings.publish_due(NOW)
    published = ratings.latest_published(period)[("organisation", tree["branch"].id)]
    assert published.rubric.key == "village_ten_star" and published.max_stars == 10
    draft = make_period(2026)
    ratings.rate(draft)  # a draft period follows the new assignment
    drafted = [r for r in draft.ratings if r.subject_kind == "organisation"][0]
    assert drafted.rubric.key == "branch_five_strong"


def test_full_membership_date_from_the_console_sets_the_party_age(app, client):
    tree = make_tree()
    member = make_member(tree["branch"], "转正", joined_on=datetime.date(2010, 7, 1))
    code = issue_code(member).code
    login_new_user(client, "admin", "admin")
    response = client.post(
        f"/console/members/{member.id}/edit",
        data=member_form("转正", joined_on="2010-07-01", full_member_on="2012-07-01", volunteer_hours="0"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    data = client.get(f"/Q/{code}.json").json
    today = datetime.date.today()
    assert data["years_of_membership"] == today.year - 2012 - ((today.month, today.day) < (7, 1))


def test_rubric_preview_of_a_pinned_period_says_it_will_not_change(app, client):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"])
    record(member, period, "appraisal_percent", 100)
    ratings.schedule(period, NOW)
    login_new_user(client, "admin", "admin")
    from starqr.services import rubrics as rubric_store

    text = rubric_store.latest_version("member_points").text.replace("version: 1", "version: 2")
    page = client.post(
        "/console/admin/rubrics/member_points", data={"text": text, "period": period.id, "preview": "1"}
    ).get_data(as_text=True)
    assert 'id="preview-pinned"' in page


def test_checkpoints_continue_the_tree_from_the_last_one(app, cli):
    from starqr import merkle

    period = _ledger_with_entries(3)
    first = checkpoints.write()
    member = LedgerEntry.select().first()
    for n in range(9):
        ledger.append([ledger.NewEntry(MEMBER, member.subject_id, period.id, "study", Decimal(2), f"第{n}次", "x")])
        made = checkpoints.write()
        assert made.tree_root == merkle.root(checkpoints.leaves(made.last_entry_id)).hex()
    assert first.tree_root != made.tree_root
    # a tampered stored frontier yields a checkpoint that verify rejects
    LedgerCheckpoint.update(tree_frontier="1:" + "00" * 32).where(LedgerCheckpoint.id == made.id).execute()
    LedgerCheckpoint.update(entry_count=1).where(LedgerCheckpoint.id == made.id).execute()
    ledger.append([ledger.NewEntry(MEMBER, member.subject_id, period.id, "study", Decimal(2), "再次", "x")])
    result = cli("ledger", "verify")
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_members_are_rated_by_their_branchs_assigned_member_rubric(app):
    tree = make_tree()
    period = make_period(2025)
    member = make_member(tree["branch"])
    record(member, period, "appraisal_percent", 90)
    tree["branch"].member_rubric_key = "member_points_strict"  # an assignment (l08's rubric_assignments)
    tree["branch"].save()
    results = ratings.compute(period)
    assert results[(MEMBER, member.id)][0].key == "member_points_strict"
