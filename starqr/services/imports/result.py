"""The outcome of a points import (preview or applied): the shared ImportPlan, with the ledger's view.

The preview sections are the other imports': `created` new ledger entries, `updated` values
that replace the period's current value (before → after), `unchanged` rows already in the
ledger or equal to the current value; the star moves are the points import's own section.
"""

from dataclasses import dataclass, field

from starqr.services.imports.tabular import ImportPlan


@dataclass
class ImportResult(ImportPlan):
    period_id: int = 0
    entries: list = field(default_factory=list)  # new ledger rows, ledger.entry_row's layout
    already_imported: int = 0  # rows whose entry is in the ledger already
    unchanged_values: int = 0  # value rows equal to the current value
    written: int = 0
    moves: list = field(default_factory=list)  # StarMove, stars that change
    totals_changed: int = 0  # subjects whose total changes (stars or not)

    def outcome(self):
        return dict(
            super().outcome(),
            written=self.written,
            already_imported=self.already_imported,
            unchanged=self.already_imported + self.unchanged_values,
        )

    def to_dict(self, translate=None):
        return dict(
            super().to_dict(translate),
            period_id=self.period_id,
            new_entries=len(self.entries),
            already_imported=self.already_imported,
            unchanged_values=self.unchanged_values,
            written=self.written,
            star_moves=[m.to_dict() for m in self.moves],
            totals_changed=self.totals_changed,
        )
