"""One validation per field kind, used by every door (console, API, importer, CLI).

Pure: no Flask, no database. Every function returns the clean value or raises
ValidationError naming the field; the edge translates the message (`error.message(gettext)`)
and answers 400/422.
"""

from starqr.validation.dates import calendar_date
from starqr.validation.errors import N_, ValidationError
from starqr.validation.numbers import (
    CENT,
    MAX_COUNT,
    MAX_ID,
    MAX_VALUE,
    count,
    id_in_range,
    ledger_value,
    normal_points,
    points_text,
    record_id,
    to_decimal,
)
from starqr.validation.private_data import find_private_data, refuse_private_data
from starqr.validation.texts import has_control_characters, text

__all__ = [
    "CENT",
    "MAX_COUNT",
    "MAX_ID",
    "MAX_VALUE",
    "N_",
    "ValidationError",
    "calendar_date",
    "count",
    "find_private_data",
    "has_control_characters",
    "id_in_range",
    "ledger_value",
    "normal_points",
    "points_text",
    "record_id",
    "refuse_private_data",
    "text",
    "public_text",
    "to_decimal",
]


def public_text(raw, field, label, max_length=1000, required=False, multiline=True):
    """text() for a field shown on the public page: also refuses identity numbers, mobiles, addresses."""
    value = text(raw, field, label, max_length, required, multiline)
    return refuse_private_data(value, field, label)
