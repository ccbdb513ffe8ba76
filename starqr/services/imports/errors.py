"""What an import reports: a file it cannot read, and errors that name a row and a column."""

from dataclasses import dataclass

from starqr.errors import Invalid

MAX_ERRORS = 200  # errors kept per file; the count of the rest is reported


class ImportFileError(Invalid):
    """The file cannot be read at all (not a row problem)."""

    code = "invalid_file"


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (the header is row 1)
    column: str  # Chinese column name, or "" for a whole-file problem
    message: str

    def __str__(self):
        where = f"第{self.row}行" + (f"「{self.column}」" if self.column else "")
        return f"{where}:{self.message}"

    def to_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message, "text": str(self)}
