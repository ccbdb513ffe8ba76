"""Free text at every door: no NUL or other control characters, bounded length.

PostgreSQL cannot store NUL in text, and control characters have no business in names,
reasons or captions (they hide text, break CSV exports and terminal output). Line breaks
and tabs are allowed where the field is multi-line.
"""

import re

from starqr.validation.errors import N_, ValidationError

# C0 controls but \t \n \r, DEL, C1 controls, and the bidi overrides that reorder shown text.
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufffe\uffff]")


def has_control_characters(value, multiline=True):
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL_ONE_LINE).search(value))


def text(raw, field="text", label=N_("文字"), max_length=500, required=False, multiline=True):
    """Stripped text of at most MAX_LENGTH characters, without control characters."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise ValidationError(field, N_("「%(label)s」应为文字"), label, code="not_text")
    value = raw.replace("\r\n", "\n").strip()
    if "\x00" in value:
        raise ValidationError(field, N_("「%(label)s」含有不允许的字符 (NUL)"), label, code="nul_character")
    if has_control_characters(value, multiline):
        raise ValidationError(field, N_("「%(label)s」含有不允许的控制字符"), label, code="control_character")
    if len(value) > max_length:
        raise ValidationError(
            field, N_("「%(label)s」最多 %(max_length)s 个字"), label, code="too_long", max_length=max_length
        )
    if required and not value:
        raise ValidationError(field, N_("请填写「%(label)s」"), label, code="required")
    return value
