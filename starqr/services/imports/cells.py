"""Cell values: text, numbers and dates as spreadsheets and people write them."""

import datetime
from decimal import Decimal, InvalidOperation


def cell_text(value):
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_number(value):
    """Decimal from a cell (number or text, full-width digits and commas allowed), or None if blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise ValueError
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return _cached_parse(_number_cache, str(value), _parse_number_text)


_NOT_A_NUMBER = object()  # a parse failure, cached like any result
_number_cache = {}  # cells repeat a handful of values; Decimal parsing is the cost


def _cached_parse(cache, text, parse):
    """parse(text) remembered in CACHE (bounded); raises ValueError for _NOT_A_NUMBER."""
    result = cache.get(text)
    if result is None:
        result = parse(text)
        if len(cache) < 10000:
            cache[text] = result
    if result is _NOT_A_NUMBER:
        raise ValueError
    return result


def _parse_number_text(text):
    text = text.strip().translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
    if not text:
        return None
    if text.startswith("+"):
        text = text[1:]
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _NOT_A_NUMBER
    if not number.is_finite():
        return _NOT_A_NUMBER
    return number


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_date_cache = {}  # a year has 366 days: a file repeats the same few date texts


def parse_date(value):
    """A date from a cell: a date/datetime, an Excel serial number or text; None if blank."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and 19000101 <= value <= 29991231:  # 20250630 typed as a number
            return parse_date(str(value))
        if 1 <= value < 2958466:  # Excel serial days (to 9999-12-31)
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError
    return _cached_parse(_date_cache, str(value), _parse_date_text)


def _parse_date_text(text):
    text = text.strip().translate(_FULL_WIDTH)
    if not text:
        return None
    text = text.split(" ", 1)[0].split("T", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return _NOT_A_NUMBER


_fmt_cache = {}
CENT = Decimal("0.01")


def number_text(number):
    """A decimal's canonical text (2, 2.0 and 2.00 all give "2"), cached: values repeat."""
    if number is None:
        return ""
    text = _fmt_cache.get(number)
    if text is None:
        text = f"{Decimal(number).normalize():f}"
        if len(_fmt_cache) < 10000:
            _fmt_cache[number] = text
    return text
