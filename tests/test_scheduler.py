"""The schedule: a scheduled period publishes on time and finalises when its notice ends.

The clock is moved by passing `now`; running the due job twice or concurrently is harmless.
"""

import datetime
import threading

from starqr.db import database
from starqr.models import Rating, RatingPeriod
from starqr import tasks
from starqr.services import imports, ratings, scheduler
from tests.helpers import issue_code, make_member, make_period, make_tree, record

PUBLISH_LOCAL = datetime.datetime(2026, 1, 15, 9, 0)  # 09:00 Beijing time
PUBLISH_UTC = datetime.datetime(2026, 1, 15, 1, 0)


def _setup():
    tree = make_tree()
    members = [make_member(tree["branch"]) for _ in range(3)]
    period = make_period(year=2025)
    record(members[0], period, "study", 2)
    ratings.schedule(period, scheduler.to_utc(PUBLISH_LOCAL), notice_days=5)
    return tree, members, period


def _published(period):
    return Rating.select().where(Rating.period == period, Rating.published == True).count()  # noqa: E712


def test_local_times_convert_to_utc_and_back():
    assert scheduler.to_utc(PUBLISH_LOCAL) == PUBLISH_UTC
    assert scheduler.to_local(PUBLISH_UTC) == PUBLISH_LOCAL
    assert scheduler.to_local(None) is None


def test_scheduled_period_publishes_on_time_and_finalises_when_notice_ends(app):
    _, members, period = _setup()
    minute = datetime.timedelta(minutes=1)
    assert scheduler.run_due(PUBLISH_UTC - minute) == []
    assert RatingPeriod.get_by_id(period.id).state == "scheduled" and _published(period) == 0

    report = scheduler.run_due(PUBLISH_UTC)
    period = RatingPeriod.get_by_id(period.id)
    assert period.state == "notice" and report[0][0] == period.name
    assert period.published_at == PUBLISH_UTC
    assert period.notice_ends_at == PUBLISH_UTC + datetime.timedelta(days=5)
    subjects = _published(period)
    assert subjects == 4  # the branch and its three members

    assert scheduler.run_due(period.notice_ends_at - minute) == []
    assert RatingPeriod.get_by_id(period.id).state == "notice"
    assert [(name, line.code) for name, line in scheduler.run_due(period.notice_ends_at)] == [
        (period.name, "finalised")
    ]
    period = RatingPeriod.get_by_id(period.id)
    assert period.state == "final" and period.finalised_at == period.notice_ends_at
    assert _published(period) == subjects


def test_running_due_twice_is_harmless(app):
    _, _, period = _setup()
    later = PUBLISH_UTC + datetime.timedelta(minutes=3)
    first = scheduler.run_due(later)
    second = scheduler.run_due(later)
    assert len(first) == 1 and second == []
    assert _published(period) == 4


def test_running_due_concurrently_is_harmless(app):
    _, _, period = _setup()
    later = PUBLISH_UTC + datetime.timedelta(minutes=3)
    reports, failures = [], []
    barrier = threading.Barrier(3)

    def worker():
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                try:
                    barrier.wait()
                    reports.append(scheduler.run_due(later))
                finally:
                    database.close()
        except Exception as error:  # reported below
            failures.append(error)

    database.close()  # let the threads have the database
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    database.connect(reuse_if_open=True)
    assert not failures
    lines = [what for report in reports for _, what in report]
    # Exactly one run froze the ratings; the others found the period already claimed.
    assert sum(1 for what in lines if what.startswith("已发布 4 ")) == 1, (
        lines,
        [(r.subject_kind, r.subject_id, r.published) for r in Rating.select()],
    )
    assert all(what.startswith(("已发布 4 ", "已发布 0 ")) for what in lines)
    assert _published(period) == 4
    assert RatingPeriod.get_by_id(period.id).state == "notice"


def test_huey_minute_task_runs_the_due_job(app):
    from starqr import tasks

    _, _, period = _setup()
    ratings.schedule(period, datetime.datetime(2020, 1, 1))  # long due
    tasks.huey.immediate = True
    try:
        with app.app_context():
            tasks.publish_due_task()  # periodic tasks keep no result; the period tells
    finally:
        tasks.huey.immediate = False
    assert RatingPeriod.get_by_id(period.id).state == "notice"
    assert _published(period) == 4


def test_imports_queue_and_run_in_immediate_mode(app):
    tree, members, period = _setup()
    code = issue_code(members[1]).code
    data = imports.write_csv([[code, members[1].name_zh, "study", 2, 1, "2025-05-01", "学习"]])
    batch = imports.create_batch(period, data, "x.csv", "admin", app.instance_path)
    with app.app_context():
        tasks.enqueue_import(batch)
    assert batch.__class__.get_by_id(batch.id).status == "done"


def test_calendar_lists_the_publication_and_the_notice_end(app):
    _, _, period = _setup()
    events = scheduler.calendar(now=PUBLISH_UTC - datetime.timedelta(days=1))
    assert [(e[1].id, e[2]) for e in events] == [(period.id, "publish")]
    scheduler.run_due(PUBLISH_UTC)
    events = scheduler.calendar(now=PUBLISH_UTC + datetime.timedelta(hours=1))
    assert [e[2] for e in events] == ["published", "notice_ends"]


def test_cli_publish_due_and_import(app, cli, tmp_path):
    tree, members, period = _setup()
    code = issue_code(members[0]).code
    good = tmp_path / "good.csv"
    good.write_bytes(imports.write_csv([[code, members[0].name_zh, "study", "", 2, "2025-05-01", "学习"]]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(imports.write_csv([[code, "别人", "study", "", 2, "2025-05-01", "学习"]]))

    result = cli("import", str(bad), "--period", "2025")
    assert result.exit_code != 0 and "第2行「姓名」" in result.output
    result = cli("import", str(good), "--period", "2025", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "将新增 1 条" in result.output
    result = cli("import", str(good), "--period", "2025")
    assert result.exit_code == 0 and "导入 1 条" in result.output
    result = cli("import", str(good), "--period", "2025")
    assert "导入 0 条" in result.output

    result = cli("publish", "--due", "--now", "2026-01-15T01:00:00")
    assert result.exit_code == 0 and "已发布" in result.output
    result = cli("publish", "--due", "--now", "2026-01-15T01:00:00")
    assert "没有到期的发布或公示" in result.output


def test_huey_storage_is_sqlite_by_default_and_redis_for_a_redis_url(tmp_path):
    from huey.storage import RedisStorage, SqliteStorage

    assert isinstance(tasks.make_huey(None, instance_path=str(tmp_path)).storage, SqliteStorage)
    assert (tmp_path / "huey.db").exists()
    redis_huey = tasks.make_huey("redis://127.0.0.1:6379/15")
    assert isinstance(redis_huey.storage, RedisStorage)
    try:
        redis_huey.storage.conn.ping()
    except Exception:  # no Redis here: the type check above is what can be tested
        return
    redis_huey.storage.flush_all()

    @redis_huey.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert redis_huey.pending_count() == 1
    task = redis_huey.dequeue()
    redis_huey.execute(task)
    assert result.get() == 5
    redis_huey.storage.flush_all()
