"""What an import reports: a file it cannot read, and errors that name a row and a column.

A row error's message is a catalogue template (Chinese, marked with N_) and its parameters,
like every StarQR error: the edge translates it into the reader's language (console, API,
the batch page), `str()` is the Chinese text (CLI, logs, tests).
"""

from dataclasses import dataclass, field

from starqr.errors import N_, Invalid, Term, fill, plain

MAX_ERRORS = 200  # errors kept per file; the count of the rest is reported
ROW_COLUMN = N_("第%(row)s行「%(column)s」:%(message)s")
ROW_ONLY = N_("第%(row)s行:%(message)s")
MORE_ERRORS = N_("……另有 %(n)s 处错误未列出")
MISSING_COLUMNS = N_("第1行(表头)缺少列:%(missing)s。表头应为:%(columns)s(可下载模板)")


class ImportFileError(Invalid):
    """The file cannot be read at all (not a row problem)."""

    code = "invalid_file"


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (the header is row 1; 0: not one row)
    column: str  # Chinese column name, as in the file's header, or "" for a whole-row problem
    template: str  # a catalogue msgid
    params: dict = field(default_factory=dict, hash=False)

    @property
    def message(self):
        """The message in Chinese (the source language)."""
        return fill(self.template, self.params)

    def text(self, translate=None):
        """Row, column and message, in the language of TRANSLATE (a gettext; None: Chinese)."""
        message = fill(self.template, self.params, translate)
        if self.row <= 0:
            return message
        if self.column:
            return fill(ROW_COLUMN, {"row": self.row, "column": self.column, "message": message}, translate)
        return fill(ROW_ONLY, {"row": self.row, "message": message}, translate)

    def __str__(self):
        return self.text()

    def to_dict(self, translate=None):
        return {
            "row": self.row,
            "column": self.column,
            "message": fill(self.template, self.params, translate),
            "text": self.text(translate),
            "template": self.template,
            "params": {k: plain(v) for k, v in self.params.items()},
            "terms": sorted(k for k, v in self.params.items() if isinstance(v, Term)),
        }

    @classmethod
    def from_dict(cls, stored):
        """A RowError back from to_dict's record (an import batch's errors); old records hold text only."""
        template = stored.get("template") or stored.get("message") or stored.get("text", "")
        params = dict(stored.get("params") or {})
        for key in stored.get("terms") or ():
            if isinstance(params.get(key), str):
                params[key] = Term(params[key])
        return cls(int(stored.get("row") or 0), stored.get("column", ""), template, params)


def more_errors(count):
    """The line that counts the errors left out of a report."""
    return RowError(0, "", MORE_ERRORS, {"n": count})
