"""The outcome of a points import (preview or applied)."""

from dataclasses import dataclass, field


@dataclass
class ImportResult:
    filename: str
    file_sha256: str
    period_id: int
    rows: int = 0
    errors: list = field(default_factory=list)  # RowError
    more_errors: int = 0  # errors beyond MAX_ERRORS
    entries: list = field(default_factory=list)  # new ledger rows, ledger.entry_row's layout
    already_imported: int = 0  # rows whose entry is in the ledger already
    unchanged_values: int = 0  # value rows equal to the current value
    written: int = 0
    dry_run: bool = True
    moves: list = field(default_factory=list)  # StarMove, stars that change
    totals_changed: int = 0  # subjects whose total changes (stars or not)

    @property
    def ok(self):
        return not self.errors

    def outcome(self):
        return {"written": self.written, "already_imported": self.already_imported, "unchanged": self.unchanged_values}

    def error_lines(self):
        lines = [str(e) for e in self.errors]
        if self.more_errors:
            lines.append(f"……另有 {self.more_errors} 处错误未列出")
        return lines

    def to_dict(self):
        return {
            "filename": self.filename,
            "file_sha256": self.file_sha256,
            "period_id": self.period_id,
            "rows": self.rows,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "errors": [e.to_dict() for e in self.errors],
            "more_errors": self.more_errors,
            "new_entries": len(self.entries),
            "already_imported": self.already_imported,
            "unchanged_values": self.unchanged_values,
            "written": self.written,
            "star_moves": [m.to_dict() for m in self.moves],
            "totals_changed": self.totals_changed,
        }
