"""One structured line (key=value, and fields for the JSON formatter) per job, import,
publication and failure."""

import json
import logging

from starqr import tasks
from starqr.log_events import log_event
from starqr.monitoring import JsonFormatter
from starqr.services import accounts, imports, ratings
from tests.helpers import issue_code, make_member, make_period, make_tree, make_user


def _events(caplog, name):
    return [r for r in caplog.records if getattr(r, "event", None) == name]


def test_a_line_is_key_value_text_and_json_fields(caplog):
    logger = logging.getLogger("starqr.test")
    with caplog.at_level(logging.INFO, logger="starqr.test"):
        log_event(logger, "import.applied", kind="tree", file="两个 字.xlsx", rows=3, filename="clash")
    (record,) = caplog.records
    assert record.getMessage() == 'event=import.applied kind=tree file="两个 字.xlsx" rows=3 filename=clash'
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "import.applied" and line["rows"] == 3 and line["file"] == "两个 字.xlsx"
    assert line["filename_"] == "clash" and line["level"] == "info"  # a reserved name is kept, renamed


def _points_file():
    tree = make_tree()
    member = make_member(tree["branch"])
    period = make_period(year=2025)
    code = issue_code(member).code
    return period, imports.write_csv([[code, member.name_zh, "study", "", 2, "2025-05-01", "学习"]])


def test_an_import_and_a_publication_log_one_line_each(app, caplog):
    period, data = _points_file()
    with caplog.at_level(logging.INFO):
        result = imports.run(period, data, "points.csv", "cli", dry_run=False)
        assert result.applied
        ratings.rate(period)
        ratings.publish(period, actor="cli")
    (applied,) = _events(caplog, "import.applied")
    assert (applied.kind, applied.rows, applied.period, applied.actor) == ("points", 1, period.id, "cli")
    (published,) = _events(caplog, "period.published")
    assert published.period == period.id and published.ratings >= 1 and published.actor == "cli"
    assert _events(caplog, "ratings.frozen")[0].written == published.ratings


def test_a_refused_import_and_a_failed_job_are_logged(app, caplog):
    period, _ = _points_file()
    bad = imports.write_csv([["NOSUCHCODE", "某人", "study", "", 2, "2025-05-01", "学习"]])
    with caplog.at_level(logging.INFO):
        assert not imports.run(period, bad, "bad.csv", "cli", dry_run=False).applied

        def explode():
            raise KeyError("a bug")

        try:  # in-process (immediate) jobs return "failed"; under a consumer the error propagates
            assert tasks._run_job("probe", explode) == "failed"
        except KeyError:
            pass
    (refused,) = _events(caplog, "import.refused")
    assert refused.errors == 1 and refused.levelno == logging.WARNING
    (failed,) = _events(caplog, "job.failed")
    assert failed.job == "probe" and failed.error == "KeyError" and failed.exc_info
    assert "event=job.failed job=probe" in failed.getMessage()


def test_refusals_at_the_api_and_the_cli_are_logged(app, client, caplog):
    from starqr.cli import main

    _, token = accounts.create_api_token(make_user("log_admin", "admin"), "t")
    with caplog.at_level(logging.INFO):
        client.get("/api/v1/members/987654", headers={"Authorization": f"Bearer {token}"})
        with app.app_context():
            app.test_cli_runner().invoke(main, ["plaques", "revoke", "NOSUCHCODE", "--reason", "x", "--yes"])
    (api,) = _events(caplog, "request.refused")
    assert (api.path, api.status, api.code) == ("/api/v1/members/987654", 404, "not_found")
    (cli,) = _events(caplog, "command.failed")
    assert cli.code == "plaque_not_found" and cli.error == "PlaqueError"
