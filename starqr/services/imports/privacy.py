"""Private data that StarQR refuses to take in: identity-card numbers and mobile numbers.

A roster file with such a column is refused whole, so nothing private is ever stored.
"""

import re

from starqr.errors import N_

IDENTITY_HEADER_WORDS = ("身份证", "证件号", "公民身份", "id_number")
PHONE_HEADER_WORDS = ("手机", "电话", "联系方式", "联系电话", "phone", "mobile")
PRIVATE_HEADER_WORDS = IDENTITY_HEADER_WORDS + PHONE_HEADER_WORDS
_IDENTITY = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
_MOBILE = re.compile(r"^(\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}$")
REFUSAL = N_("看起来是身份证号码或手机号码。StarQR 不保存这些个人信息,请删除该列后重新导入;本次未保存任何数据")


def private_header(label):
    """The refusal message for a header naming identity or phone data, else None."""
    lowered = label.lower()
    if any(word in lowered for word in PRIVATE_HEADER_WORDS):
        return REFUSAL
    return None


def looks_private(value):
    """True for a cell that looks like an identity-card number or a mobile phone number."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not 11 <= len(text) <= 20:
        return False
    return bool(_IDENTITY.match(text) or _MOBILE.match(text))
