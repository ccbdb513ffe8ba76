"""Ledger rows of a validated points file, each with a source derived from its content."""

import hashlib
import os
from decimal import Decimal

from starqr.models import utcnow
from starqr.services.imports.cells import CENT
from starqr.services.imports.validation import VALUE_KINDS

SOURCE = 13  # a ledger row's source (ledger.entry_row)


def _source_text(period_id, subject, item_id, points_text, quantity, occurred_on, reason):
    """The content a row's source hashes, before its occurrence (POINTS_TEXT is number_text(points))."""
    return (
        f"{period_id}\x1f{subject.kind}\x1f{subject.id}\x1f{item_id}\x1f{points_text}\x1f{quantity}"
        f"\x1f{occurred_on or ''}\x1f{reason}"
    )


def _source_of(text, occurrence):
    return "import:" + hashlib.sha256(f"{text}\x1f{occurrence}".encode("utf-8")).hexdigest()[:48]


def entry_rows(period, parsed, actor, filename, current_values, rows=None):
    """Ledger rows (ledger.entry_row's layout) per valid row, in file order. Value rows
    record the value itself, which replaces the period's current value (the ledger's rule
    for value items, services.rating_inputs); a value equal to the current one is skipped.
    ROWS, if a list, receives each entry's parsed row (the preview lists them)."""
    entries = []
    keep = rows.append if rows is not None else None
    unchanged = 0
    occurrences = {}
    now = utcnow()
    label = f"导入:{os.path.basename(filename)}" if filename else "导入"
    period_id = period.id
    for parsed_row in parsed:
        _number, subject, amount, occurred_on, reason = parsed_row
        item = amount.item
        if item.kind in VALUE_KINDS:
            held = current_values.get((subject.kind, subject.id), {}).get(item.id)
            value = amount.points.quantize(CENT)
            if held is not None and Decimal(repr(held)).quantize(CENT) == value:
                unchanged += 1
                continue
            points, quantity = f"{value}", 1
            source = _source_of(_source_text(period_id, subject, item.id, amount.text, 1, occurred_on, reason), "value")
        else:
            # Identical rows are told apart by their occurrence (1, 2...) in the file.
            points, quantity = amount.cents, amount.quantity
            text = _source_text(period_id, subject, item.id, amount.text, quantity, occurred_on, reason)
            occurrence = occurrences.get(text, 0) + 1
            occurrences[text] = occurrence
            source = _source_of(text, occurrence)
        if keep:
            keep(parsed_row)
        entries.append(
            (
                subject.kind,
                subject.id,
                period_id,
                item.id,
                points,
                quantity,
                reason,
                True,
                label,
                actor,
                now,
                occurred_on,
                None,
                source,
            )
        )
    return entries, unchanged
