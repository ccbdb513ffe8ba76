"""Private data in public free text: identity-card numbers, mobile numbers, home addresses.

Honours, commitments, reasons, captions and objection answers are published on the scan
page. A secretary who types "身份证150222199001011234，电话13912345678" into one of them
publishes it; these checks refuse such text on save, through every door, saying why.

The rules lean towards catching: a false alarm costs the writer a rephrase, a miss
publishes a person's identity. Digits are read through full-width forms and separators
("139 1234 5678", "139-1234-5678").
"""

import datetime
import re

from starqr.validation.errors import N_, ValidationError

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ－＋　", "0123456789xX-+ ")
_DIGIT_SEPARATORS = re.compile(r"(?<=\d)[ \-.·_/]{1,2}(?=\d)")

# 18-digit resident identity number (6-digit area, birth date, 3-digit sequence, check digit),
# and the old 15-digit form (2-digit year).
_ID_18 = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
_ID_15 = re.compile(r"(?<!\d)\d{6}(\d{6})\d{3}(?!\d)")
# Mainland mobile numbers: 1[3-9] and nine more digits, with or without +86 / 0086.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86|0086)?1[3-9]\d{9}(?!\d)")
# An address: a street, community or village word, then a house / building / room number.
_PLACE = "路|街|巷|弄|胡同|大道|小区|社区|花园|家园|公寓|大厦|村|嘎查|屯|组|队|巴格|浩特|营子"
_NUMBER_WORD = "号楼|号院|号|栋|幢|单元|室"
_ADDRESS = re.compile(
    rf"(?:{_PLACE})[^，。；！？,;!?\n]{{0,12}}?(?:\d+|[一二三四五六七八九十百]+)\s*(?:{_NUMBER_WORD})"
)
_ADDRESS_WORD = re.compile(r"(?:家住|住址|家庭住址|居住地址|现住|住在)\s*[:：]?\s*\S{3,}")


def _normalised(text):
    return _DIGIT_SEPARATORS.sub("", text.translate(_FULL_WIDTH))


def _real_date(text, century=""):
    try:
        day = datetime.datetime.strptime(century + text, "%Y%m%d").date()
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= day <= datetime.date.today()


def find_private_data(text):
    """The kind of private data TEXT seems to hold ("id_number", "mobile", "address"), or None."""
    if not text:
        return None
    plain = _normalised(text)
    for match in _ID_18.finditer(plain):
        if _real_date(match.group(2)):
            return "id_number"
    for match in _ID_15.finditer(plain):
        if _real_date(match.group(1), "19"):
            return "id_number"
    if _MOBILE.search(plain):
        return "mobile"
    if _ADDRESS.search(plain) or _ADDRESS_WORD.search(plain):
        return "address"
    return None


_MESSAGES = {
    "id_number": N_("「%(label)s」会公开显示,其中似乎有身份证号码;请删去后再保存"),
    "mobile": N_("「%(label)s」会公开显示,其中似乎有手机号码;请删去后再保存"),
    "address": N_("「%(label)s」会公开显示,其中似乎有家庭住址(门牌号);请删去后再保存"),
}


def refuse_private_data(text, field, label):
    """Raise ValidationError if public TEXT holds private data; returns TEXT."""
    kind = find_private_data(text)
    if kind:
        raise ValidationError(field, _MESSAGES[kind], label, code=f"private_{kind}")
    return text
