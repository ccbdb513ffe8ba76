"""The guard rails as tests, so a broken arrow fails the suite too (.ci/lint runs the same)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def _run(*command):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold():
    """Layers (views/cli/tasks → services → ledger → models/rating/plaque), no Flask below the
    edges, rating and plaque free of the database, and no import cycles (pyproject.toml)."""
    result = _run(os.path.join(BIN, "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_module_grows_past_the_size_limit():
    result = _run(sys.executable, os.path.join(ROOT, ".ci", "module_sizes.py"))
    assert result.returncode == 0, result.stdout


def test_the_ledger_reaches_the_public_pages_through_its_hook():
    """The ledger (below services) calls back instead of importing services.revision."""
    from starqr import ledger
    from starqr.services import revision

    assert revision._ledger_written in ledger._written_hooks


def test_the_states_of_a_period_that_takes_points_are_spelt_out_once():
    """period_rules.TAKING_POINTS, not ("draft", "scheduled") again in each module (migrations are frozen)."""
    import re

    from starqr.models.ratings import PERIOD_STATES
    from starqr.services import period_rules

    spelt = re.compile(r"""\(\s*["'](draft|scheduled)["']\s*,\s*["'](draft|scheduled)["']\s*,?\s*\)""")
    found = []
    for folder, _dirs, names in os.walk(os.path.join(ROOT, "starqr")):
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(".py") and os.sep + "migrations" + os.sep not in path:
                with open(path, encoding="utf-8") as handle:
                    found += [os.path.relpath(path, ROOT) for _match in spelt.finditer(handle.read())]
    assert found == [os.path.join("starqr", "services", "period_rules.py")]
    assert set(period_rules.TAKING_POINTS) == {"draft", "scheduled"} <= set(PERIOD_STATES)
