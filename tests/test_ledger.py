"""The points ledger: append-only, corrections as linked entries, tampering detected."""

from decimal import Decimal

import pytest

from starqr import ledger
from starqr.db import database
from starqr.models import LedgerEntry
from tests.helpers import make_member, make_period, make_tree, record


@pytest.fixture
def entries(app):
    tree = make_tree()
    member = make_member(tree["branch"], "王芳")
    period = make_period()
    made = [record(member, period, "study", 2, f"集中学习第{n}次") for n in range(1, 6)]
    return member, period, made


def test_intact_ledger_verifies(entries, cli, monkeypatch):
    checked, problems = ledger.verify()
    assert (checked, problems) == (5, [])
    monkeypatch.setenv("STARQR_LANG", "en")
    result = cli("ledger", "verify")
    assert result.exit_code == 0, result.output
    assert "5 entries verified" in result.output
    monkeypatch.setenv("STARQR_LANG", "zh")
    result = cli("ledger", "verify")
    assert result.exit_code == 0 and "已校验 5 条记录" in result.output, result.output


def test_altered_entry_is_reported(entries, cli):
    _, _, made = entries
    # Someone with database access raises an entry's points directly.
    database.execute_sql(f"UPDATE ledger_entry SET points = 20 WHERE id = {made[2].id}")
    checked, problems = ledger.verify()
    assert [(p.entry_id, p.kind) for p in problems] == [(made[2].id, "altered")]
    result = cli("ledger", "verify")
    assert result.exit_code != 0
    assert f"entry {made[2].id} was changed" in result.output


def test_deleted_entry_is_reported(entries, cli):
    _, _, made = entries
    database.execute_sql(f"DELETE FROM ledger_entry WHERE id = {made[1].id}")
    _, problems = ledger.verify()
    assert [(p.entry_id, p.kind) for p in problems] == [(made[2].id, "broken_link")]
    assert cli("ledger", "verify").exit_code != 0


def test_deleted_newest_entry_is_reported(entries, cli):
    _, _, made = entries
    database.execute_sql(f"DELETE FROM ledger_entry WHERE id = {made[-1].id}")
    _, problems = ledger.verify()
    assert [p.kind for p in problems] == ["head_mismatch"]


def test_reordered_entries_are_reported(entries, cli):
    _, _, made = entries
    a, b = made[1], made[3]
    # Swap two whole rows' contents (hashes included) so each row is internally consistent.
    columns = ["reason", "points", "entry_hash", "previous_hash"]
    values = {
        e.id: LedgerEntry.select(*[getattr(LedgerEntry, c) for c in columns])
        .where(LedgerEntry.id == e.id)
        .tuples()
        .get()
        for e in (a, b)
    }
    for target, source in ((a.id, b.id), (b.id, a.id)):
        LedgerEntry.update(dict(zip([getattr(LedgerEntry, c) for c in columns], values[source]))).where(
            LedgerEntry.id == target
        ).execute()
    _, problems = ledger.verify()
    assert "broken_link" in {p.kind for p in problems}
    assert cli("ledger", "verify").exit_code != 0


def test_correction_is_a_new_linked_entry(entries, cli):
    member, period, made = entries
    original = made[0]
    ledger.correct(original, "录入错误,应为1分", "secretary", new_points=Decimal("1"))
    rows = list(LedgerEntry.select().order_by(LedgerEntry.id))
    assert len(rows) == 7
    reversal, replacement = rows[-2:]
    assert reversal.corrects_id == original.id and reversal.points == Decimal("-2.00")
    assert replacement.corrects_id == original.id and replacement.points == Decimal("1.00")
    unchanged = LedgerEntry.get_by_id(original.id)
    assert unchanged.points == Decimal("2.00") and unchanged.entry_hash == original.entry_hash
    assert ledger.verify() == (7, [])
    with pytest.raises(ledger.LedgerError):
        ledger.correct(original, "again", "secretary")


def test_same_source_is_written_once(app):
    tree = make_tree()
    member = make_member(tree["branch"])
    period = make_period()
    entry = ledger.NewEntry("member", member.id, period.id, "study", 2, "导入", "admin", source="import:abc:1")
    assert ledger.append([entry]) == 1
    assert ledger.append([entry]) == 0
    assert LedgerEntry.select().count() == 1


def test_no_code_path_updates_or_deletes_entries():
    """The ledger module is the only writer, and it only inserts."""
    import inspect
    import re

    source = inspect.getsource(ledger)
    assert not re.search(r"LedgerEntry\.(update|delete)|\.delete_instance|\.save\(", source)
