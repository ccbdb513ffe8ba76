"""Background jobs end with an outcome whatever happens, and the console shows the reason.

Issue 12: a background import that failed with anything but a file error stayed "running"
forever. Every job now runs through tasks._run_job, whose catch-all ends it "failed".
"""

import logging

from starqr import tasks
from starqr.models import ImportBatch
from starqr.services import accounts
from starqr.services import imports
from starqr.services.imports import batches
from tests.helpers import issue_code, login, make_member, make_period, make_tree, make_user


def _file(period_year=2025):
    tree = make_tree()
    member = make_member(tree["branch"])
    period = make_period(year=period_year)
    code = issue_code(member).code
    return tree, period, imports.write_csv([[code, member.name_zh, "study", "", 2, "2025-05-01", "学习"]])


def test_a_background_import_that_raises_ends_failed_with_its_reason(app, client, monkeypatch, caplog):
    tree, period, data = _file()
    admin = make_user("job_admin", "admin")
    _, token = accounts.create_api_token(admin, "jobs")

    def explode(*args, **kwargs):
        raise KeyError("a bug, not a bad file")

    monkeypatch.setattr(batches, "run", explode)
    with caplog.at_level(logging.INFO, logger="starqr.jobs"):
        response = client.post(
            f"/api/v1/imports?period_id={period.id}&background=1&filename=x.csv",
            data=data,
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 202, response.get_json()
    batch_id = response.get_json()["id"]
    batch = ImportBatch.get_by_id(batch_id)
    assert batch.status == "failed" and batch.finished_at is not None
    assert "KeyError" in batch.errors[0]["message"]
    assert any(getattr(r, "event", None) == "job.failed" and r.job == f"import:{batch_id}" for r in caplog.records)

    shown = client.get(f"/api/v1/imports/{batch_id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert shown["status"] == "failed" and "KeyError" in shown["errors"][0]["message"]
    login(client, "job_admin")
    page = client.get(f"/console/imports/{batch_id}").get_data(as_text=True)
    assert "KeyError" in page


def test_a_background_import_runs_as_the_user_who_queued_it(app):
    """The job carries the user's id, not a scope string: the consumer rebuilds the actor."""
    tree, period, data = _file()
    from tests.helpers import make_org

    other_town = make_org(tree["banner"], "town", "rural", "别的镇")
    outsider = make_user("other_town_admin", "org_admin", other_town)
    batch = imports.create_batch(period, data, "x.csv", outsider.username, app.instance_path)
    from starqr.services import access

    with app.app_context():
        tasks.enqueue_import(batch, access.actor_for(outsider))
    failed = ImportBatch.get_by_id(batch.id)
    assert "管理范围" in failed.errors[0]["text"]


def test_huey_follows_the_app_config(app, tmp_path):
    from huey.storage import MemoryStorage, SqliteStorage

    assert tasks.huey.immediate and isinstance(tasks.huey.storage, MemoryStorage)
    tasks.configure({"HUEY_URL": None, "HUEY_IMMEDIATE": False}, str(tmp_path))
    try:
        assert isinstance(tasks.huey.storage, SqliteStorage) and (tmp_path / "huey.db").exists()
        assert not tasks.huey.immediate
    finally:
        tasks.init_app(app)
    assert tasks.huey.immediate
