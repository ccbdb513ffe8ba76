"""Exported page files (services/page_export.py): what a tick writes and removes, the app's
file path (no query), revocation on this host at once, and nginx's scan log counted once."""

import gzip
import os

import pytest

from starqr.db import database
from starqr.models import PlaqueCode, PublicPage, ScanCount
from starqr.services import page_export, plaques, revision, scan_log, scans
from starqr.services import members as member_service
from tests.helpers import issue_code, make_member, make_period, make_post, make_tree, make_user, record
from tests.test_public_queries import count_queries


@pytest.fixture
def world(app, tmp_path):
    scans.reset()
    tree = make_tree()
    member = make_member(tree["branch"], "王芳")
    make_post(member, title="政策宣讲岗")
    other = make_member(make_tree()["branch"], "李明")
    folder = tmp_path / "pages"
    yield dict(
        tree=tree,
        member=member,
        other=other,
        period=make_period(),
        code=issue_code(member).code,
        other_code=issue_code(other).code,
        branch_code=issue_code(tree["branch"]).code,
        actor=make_user("sec-export", "secretary", tree["branch"]),
        folder=folder,
        exporter=page_export.Exporter(str(folder), interval=1.0),
    )
    page_export.configure(None)
    scans.reset()


def _file(world, code, lang="zh"):
    path = world["folder"] / "current" / page_export.relative(lang, code)
    return gzip.decompress(path.read_bytes()).decode() if path.exists() else None


def _tick(world):
    return world["exporter"].tick(budget=60)


def test_a_tick_exports_current_pages_and_a_write_removes_only_its_own(client, world):
    for code in (world["code"], world["other_code"], world["branch_code"]):
        client.get(f"/Q/{code}")
    client.get(f"/Q/{world['code']}?lang=mn")
    client.get(f"/Q/{world['code']}.json")
    _tick(world)
    assert "王芳" in _file(world, world["code"])
    assert _file(world, world["code"], "mn") and '"name_zh":"王芳"' in _file(world, world["code"], "json")
    stored = PublicPage.get(PublicPage.code == world["code"], PublicPage.lang == "zh")
    assert _file(world, world["code"]) == gzip.decompress(bytes(stored.gz)).decode()
    # a ledger entry: the member's files (every language) and the branch's go; the other member's stay
    record(world["member"], world["period"], "study", 2, reason="学习强国积分")
    result = _tick(world)
    assert result["removed"] >= 4
    assert _file(world, world["code"]) is None and _file(world, world["code"], "json") is None
    assert _file(world, world["branch_code"]) is None
    assert "李明" in _file(world, world["other_code"])
    # the next scan renders the new page; the next tick exports it
    assert "学习强国积分" in client.get(f"/Q/{world['code']}").get_data(as_text=True)
    _tick(world)
    assert "学习强国积分" in _file(world, world["code"])


def test_a_page_marked_stale_but_rendered_the_same_is_written_again(client, world):
    client.get(f"/Q/{world['code']}")
    _tick(world)
    with database.atomic():
        revision.bump(world["member"])  # nothing on the page changed
    _tick(world)
    assert _file(world, world["code"]) is None
    client.get(f"/Q/{world['code']}")  # the same bytes, the same ETag, a new stamp
    _tick(world)
    assert "王芳" in _file(world, world["code"])


def test_publication_swaps_in_an_empty_generation(client, world):
    client.get(f"/Q/{world['code']}")
    _tick(world)
    before = os.readlink(world["folder"] / "current")
    assert _file(world, world["code"])
    with database.atomic():
        revision.bump()
    _tick(world)
    assert os.readlink(world["folder"] / "current") != before
    assert _file(world, world["code"]) is None
    client.get(f"/Q/{world['code']}")
    _tick(world)
    assert "王芳" in _file(world, world["code"])


def test_a_member_who_left_loses_the_file(client, world):
    client.get(f"/Q/{world['code']}")
    _tick(world)
    assert "政策宣讲岗" in _file(world, world["code"])
    member_service.retire_member(world["actor"], world["member"], None, "转出")
    _tick(world)
    assert _file(world, world["code"]) is None
    client.get(f"/Q/{world['code']}")
    _tick(world)
    assert "政策宣讲岗" not in (_file(world, world["code"]) or "")


def test_revocation_removes_the_file_on_this_host_at_once(client, world):
    page_export.configure(str(world["folder"]))
    client.get(f"/Q/{world['code']}")
    _tick(world)
    assert _file(world, world["code"])
    plaques.revoke(world["code"], "admin", "牌子丢失")
    assert _file(world, world["code"]) is None  # before any tick
    assert client.get(f"/Q/{world['code']}").status_code == 410
    _tick(world)
    assert _file(world, world["code"]) is None


def test_the_app_answers_from_the_file_without_a_query(client, world):
    page_export.configure(str(world["folder"]))
    url = f"/Q/{world['code']}"
    headers = {"Accept-Encoding": "gzip", "User-Agent": "Mozilla/5.0"}
    from_store = client.get(url, headers=headers)
    _tick(world)
    page_export.configure(str(world["folder"]))  # look at the heartbeat again now (else once a second)
    scans.reset()  # no buffer flush due during the measured request
    with count_queries() as counter:
        from_file = client.get(url, headers=headers)
    assert counter["n"] == 0
    assert from_file.status_code == 200 and from_file.data == from_store.data
    for name in ("Content-Type", "Content-Encoding", "Cache-Control", "Vary", "Content-Security-Policy"):
        assert from_file.headers.get(name) == from_store.headers.get(name), name
    etag = from_file.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url).data == gzip.decompress(from_store.data)
    scans.flush()
    plaque = PlaqueCode.get(PlaqueCode.code == world["code"])
    assert sum(c.count for c in ScanCount.select().where(ScanCount.plaque == plaque)) == 2  # file, plain
    # an exporter that stopped vouching (no heartbeat): back to the store
    (world["folder"] / "heartbeat").unlink()
    page_export.configure(str(world["folder"]))
    with count_queries() as counter:
        assert client.get(url, headers=headers).status_code == 200
    assert counter["n"] >= 1


def test_stopping_withdraws_every_file(client, world):
    client.get(f"/Q/{world['code']}")
    _tick(world)
    world["exporter"].stop()
    assert not (world["folder"] / "current").exists()
    _tick(world)  # starts afresh
    assert (world["folder"] / "current").exists()


def _line(code, status=200, day="2026-11-30"):
    return f"{day}T10:00:00+08:00 {code} {status}\n"


def test_the_scan_log_is_counted_once_across_rotation(app, world, tmp_path):
    log = tmp_path / "nginx-scans.log"
    code, other = world["code"], world["other_code"]
    log.write_text(_line(code) * 3 + _line(other) + _line(code, 304) + "2026-11-30T10:00:01+08:00 " + code)
    assert scan_log.ingest(str(log), "host-a") == 4
    assert scan_log.ingest(str(log), "host-a") == 0  # nothing new; the partial line waits
    with open(log, "a") as handle:
        handle.write(" 200\n" + _line(code))
    os.rename(log, str(log) + ".1")  # logrotate's rename; nginx writes on to the old file until reopened
    with open(str(log) + ".1", "a") as handle:
        handle.write(_line(other))
    log.write_text(_line(code) * 2 + _line("NOSUCHCODE1"))
    assert scan_log.ingest(str(log), "host-a") == 2 + 1 + 2
    assert scan_log.ingest(str(log), "host-a") == 0
    total = {c.plaque.code: c.count for c in ScanCount.select()}
    assert total == {code: 3 + 2 + 2, other: 2}
    # another host's log is its own
    other_log = tmp_path / "b.log"
    other_log.write_text(_line(other))
    assert scan_log.ingest(str(other_log), "host-b") == 1


def test_a_write_committing_after_the_exporter_looked_is_not_missed(client, world, database_url):
    """PostgreSQL: a transaction that bumped before a tick and commits after it is read next tick."""
    if "postgres" not in database_url:
        pytest.skip("SQLite has one writer at a time: marks follow commit order")
    import psycopg2

    client.get(f"/Q/{world['code']}")
    _tick(world)
    plaque = PlaqueCode.get(PlaqueCode.code == world["code"])
    late = psycopg2.connect(database_url)
    try:
        cursor = late.cursor()
        cursor.execute(
            'INSERT INTO "page_subject" ("subject_kind", "subject_id", "version", "changed_at", "changed_tx") '
            'VALUES (%s, %s, 1, now(), txid_current()) ON CONFLICT ("subject_kind", "subject_id") '
            'DO UPDATE SET "version" = "page_subject"."version" + 1, "changed_tx" = excluded."changed_tx"',
            (plaque.subject_kind, plaque.subject_id),
        )
        assert cursor.rowcount == 1
        _tick(world)  # the write is not committed: the page is still current
        assert _file(world, world["code"])
        late.commit()
    finally:
        late.close()
    _tick(world)
    assert _file(world, world["code"]) is None


def test_no_private_field_in_any_exported_file(client, world):
    from starqr.models import MemberPrivate, Objection

    from starqr.services import objections

    world["period"].state = "notice"
    world["period"].save()
    branch_plaque = PlaqueCode.get(PlaqueCode.code == world["branch_code"])
    objections.create(branch_plaque, "这是异议的正文内容", "13711112222")
    assert Objection.select().count() == 1
    for code in (world["code"], world["branch_code"], world["other_code"]):
        for suffix in ("", ".json", "?lang=mn", "?lang=en"):
            assert client.get(f"/Q/{code}{suffix}").status_code == 200
    _tick(world)
    private = ["13711112222", "这是异议的正文内容"] + [
        v for p in MemberPrivate.select() for v in (p.id_number, p.phone, p.home_address) if v
    ]
    files = list((world["folder"] / "current").rglob("*.gz"))
    assert len(files) == 12
    for path in files:
        body = gzip.decompress(path.read_bytes()).decode()
        for value in private:
            assert value not in body, (path.name, value)
