"""Dates at every door: real calendar dates (no 2 月 30 日), within a sane range."""

import datetime

from starqr.validation.errors import N_, ValidationError

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)


def calendar_date(raw, field="date", label=N_("日期"), required=False):
    """A date from a date or "YYYY-MM-DD" text; None when blank and not REQUIRED."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise ValidationError(field, N_("请填写「%(label)s」"), label, code="required")
        return None
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        value = raw
    elif isinstance(raw, str) and len(raw.strip()) == 10:
        try:
            value = datetime.date.fromisoformat(raw.strip())
        except ValueError:
            raise ValidationError(
                field, N_("「%(label)s」不是有效日期,请写成 2025-06-30"), label, code="not_a_date"
            ) from None
    else:
        raise ValidationError(field, N_("「%(label)s」不是有效日期,请写成 2025-06-30"), label, code="not_a_date")
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(field, N_("「%(label)s」超出允许范围"), label, code="out_of_range")
    return value
