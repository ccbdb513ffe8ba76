"""Checking a table file column by column: one C-speed pass over a whole column where a
check allows it, so that a clean file of 100,000 rows costs a few passes, not a few hundred
thousand calls. Each helper answers "can a row-by-row check find anything here?"; when it
can, the caller runs the row-by-row check, so the messages and their rows are the same."""

from starqr.services.imports.cells import cell_text
from starqr.validation import has_control_characters


def is_text(column):
    """True when every cell of COLUMN is a str (a CSV's cells)."""
    return set(map(type, column)) <= {str}


def columns_of(rows):
    """The cells of ROWS ((row number, cells)) column by column, short rows padded with None."""
    cell_lists = [cells for _, cells in rows]
    width = max(map(len, cell_lists), default=0)
    if min(map(len, cell_lists), default=0) < width:
        cell_lists = [list(cells) + [None] * (width - len(cells)) for cells in cell_lists]
    return list(zip(*cell_lists))


def texts(column):
    """cell_text of each cell: str.strip at C speed when every cell is text."""
    if is_text(column):
        return list(map(str.strip, column))
    return list(map(cell_text, column))


def may_match(columns, pattern):
    """False when no cell of COLUMNS (as str) can hold a match of PATTERN; the cells of a
    column are joined with \\x1f, which PATTERN must not match across."""
    for column in columns:
        if pattern.search("\x1f".join(column if is_text(column) else map(str, column))):
            return True
    return False


def within(columns):
    """True when every text of each (texts, limit) in COLUMNS is at most LIMIT characters long
    and none holds a control character."""
    for column, limit in columns:
        if max(map(len, column), default=0) > limit or has_control_characters("".join(column)):
            return False
    return True
