"""Every door is audited the same way: the service writes the audit entry, not the caller.

Issue 12: CLI reissue/revoke and the scheduler's publications were not audited, and import
audits were written by the callers (so a background import wrote none).
"""

import datetime

from starqr.models import AuditLog
from starqr.services import imports, ratings, scheduler
from tests.helpers import issue_code, make_member, make_period, make_tree, record


def _actions():
    return [(a.actor, a.action) for a in AuditLog.select().order_by(AuditLog.id)]


def test_cli_reissue_and_revoke_are_audited(app, cli):
    tree = make_tree()
    member = make_member(tree["branch"])
    code = issue_code(member).code
    result = cli("plaques", "reissue", code, "--reason", "lost", "--yes")
    assert result.exit_code == 0, result.output
    from starqr.models import PlaqueCode

    active = PlaqueCode.get(PlaqueCode.status == "active")
    result = cli("plaques", "revoke", active.code, "--reason", "vetoed", "--yes")
    assert result.exit_code == 0, result.output
    actions = [a for _, a in _actions()]
    assert actions.count("plaque.reissued") == 1 and actions.count("plaque.revoked") == 1, actions


def test_the_scheduler_publication_and_finalisation_are_audited(app):
    tree = make_tree()
    member = make_member(tree["branch"])
    period = make_period(year=2025)
    record(member, period, "study", 2)
    ratings.schedule(period, datetime.datetime(2026, 1, 15, 1, 0), notice_days=5)
    scheduler.run_due(datetime.datetime(2026, 1, 15, 2, 0))
    scheduler.run_due(datetime.datetime(2026, 1, 25, 2, 0))
    assert [x for x in _actions() if x[1].startswith("period.")][-2:] == [
        ("scheduler", "period.published"),
        ("scheduler", "period.finalised"),
    ]


def test_an_import_is_audited_by_the_service_whatever_the_door(app):
    tree = make_tree()
    member = make_member(tree["branch"])
    period = make_period(year=2025)
    code = issue_code(member).code
    data = imports.write_csv([[code, member.name_zh, "study", "", 2, "2025-05-01", "学习"]])
    imports.run(period, data, "direct.csv", "script", dry_run=False)
    batch = imports.create_batch(period, data, "queued.csv", "someone", app.instance_path)
    imports.run_batch(batch.id, app.instance_path)
    assert _actions()[-3:] == [("script", "import"), ("someone", "import.queued"), ("someone", "import")]
