"""Numbers at every door: ledger values, counts and ids.

One rule for ledger values everywhere (console, API, importer, CLI): a finite number with
at most two decimals, never silently rounded, never negative zero. The text the ledger
hashes and the value the database stores are made from the same normalised Decimal, so
-0 can no longer make `ledger verify` report an entry as altered.
"""

from decimal import Decimal, InvalidOperation

from starqr.validation.errors import N_, ValidationError

CENT = Decimal("0.01")
MAX_VALUE = Decimal("1000000")  # far beyond any rubric's bound; refuses 1e400 before arithmetic
MAX_COUNT = 50
# Database integer columns: PostgreSQL's `integer` (SQLite takes 64 bits, but ids are shared).
MAX_ID = 2**31 - 1


def to_decimal(raw, field="value", label=N_("分值")):
    """A finite Decimal from an int, float, Decimal or numeric text; ValidationError otherwise."""
    if isinstance(raw, bool) or raw is None:
        raise ValidationError(field, N_("「%(label)s」应为数字"), label, code="not_a_number")
    try:
        if isinstance(raw, float):
            number = Decimal(repr(raw))  # 100.001 stays 100.001: no binary noise, no rounding
        elif isinstance(raw, (int, Decimal)):
            number = Decimal(raw)
        else:
            text = str(raw).strip()
            if not text or len(text) > 40:
                raise InvalidOperation
            number = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(field, N_("「%(label)s」应为数字"), label, code="not_a_number") from None
    if not number.is_finite():
        raise ValidationError(field, N_("「%(label)s」应为有限的数字"), label, code="not_finite")
    return number


def ledger_value(raw, field="value", label=N_("分值")):
    """A ledger amount: finite, |x| ≤ MAX_VALUE, at most two decimals, -0 made 0; as Decimal("x.yy")."""
    number = to_decimal(raw, field, label)
    if abs(number) > MAX_VALUE:
        raise ValidationError(field, N_("「%(label)s」超出允许范围"), label, code="out_of_range")
    cents = number.quantize(CENT)
    if cents != number:
        raise ValidationError(
            field, N_("「%(label)s」最多两位小数(%(value)s)"), label, code="too_many_decimals", value=str(raw)[:40]
        )
    return cents + 0 if cents.is_zero() else cents  # Decimal("-0.00") + 0 == Decimal("0.00")


def normal_points(points):
    """POINTS as the ledger stores them: two decimals, never negative zero."""
    value = Decimal(points).quantize(CENT)
    return abs(value) if value.is_zero() else value


def points_text(points):
    """The text the ledger hashes for POINTS ("2.00", "-1.50", and "0.00" for -0)."""
    return f"{normal_points(points)}"


def count(raw, field="count", label=N_("次数"), maximum=MAX_COUNT):
    """A count of events: a whole number from 1 to MAXIMUM (0 and negatives refused, not made 1)."""
    if raw is None or raw == "":
        return 1
    if isinstance(raw, bool):
        raise ValidationError(field, N_("「%(label)s」应为整数"), label, code="not_an_integer")
    if isinstance(raw, int):
        value = raw
    else:
        number = to_decimal(raw, field, label)
        if number != number.to_integral_value():
            raise ValidationError(field, N_("「%(label)s」应为整数"), label, code="not_an_integer")
        value = int(number) if abs(number) <= 10**9 else maximum + 1
    if not 1 <= value <= maximum:
        raise ValidationError(
            field, N_("「%(label)s」应在 1 到 %(maximum)s 之间"), label, code="out_of_range", maximum=maximum
        )
    return value


def record_id(raw, field="id", label=N_("编号")):
    """An id as a database can hold it (1..MAX_ID); anything else cannot name a row."""
    if isinstance(raw, bool):
        raise ValidationError(field, N_("「%(label)s」应为编号"), label, code="not_an_id")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip() if raw is not None else ""
        if not text.isascii() or not text.isdigit() or len(text) > 19:
            raise ValidationError(field, N_("「%(label)s」应为编号"), label, code="not_an_id")
        value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValidationError(field, N_("「%(label)s」超出允许范围"), label, code="out_of_range")
    return value


def id_in_range(value):
    """Whether VALUE (an int) can be a database id at all."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID
