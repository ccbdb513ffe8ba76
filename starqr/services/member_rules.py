"""What every member use case shares: the error, the fields by kind, one text check per field."""

import functools

from starqr import phrases, validation
from starqr.errors import Invalid
from starqr.models import Commitment, Member, MemberPrivate, Organisation, Post


class MemberError(Invalid):
    """A request the rules refuse; the message is Chinese, fit to show to the user."""


MEMBER_FIELDS = (
    "name_zh",
    "name_mn",
    "gender",
    "ethnicity",
    "category",
    "status",
    "occupation",
    "joined_on",
    "full_member_on",
    "party_post",
    "honours",
    "volunteer_service",
    "volunteer_hours",
    "exempt",
)
PRIVATE_FIELDS = ("id_number", "phone", "home_address", "birth_date")
BRANCH_FIELDS = ("secretary_name", "venue_area_m2", "venue_address", "office_phone", "feature_projects")
POST_FIELDS = ("title", "duties", "since", "active")
COMMITMENT_FIELDS = ("year", "text", "deadline")

# Private values are logged as changed or not, never by value: the audit log is read widely.
_PRIVATE_MARK = phrases.stored("private_changed")


# Free text shown on the scan page: refused when it holds an identity number, a mobile or an address.
PUBLIC_TEXT_FIELDS = {"honours", "volunteer_service", "party_post", "title", "duties", "text", "feature_projects"}
FIELD_LABELS = {
    "name_zh": validation.N_("姓名"),
    "name_mn": validation.N_("蒙古文姓名"),
    "party_post": validation.N_("党内职务"),
    "honours": validation.N_("荣誉"),
    "volunteer_service": validation.N_("志愿服务"),
    "secretary_name": validation.N_("书记姓名"),
    "venue_address": validation.N_("活动场所地址"),
    "office_phone": validation.N_("办公电话"),
    "feature_projects": validation.N_("特色项目"),
    "title": validation.N_("岗位名称"),
    "duties": validation.N_("岗位职责"),
    "text": validation.N_("承诺内容"),
    "id_number": validation.N_("身份证号"),
    "phone": validation.N_("电话"),
    "home_address": validation.N_("家庭住址"),
    "gender": validation.N_("性别"),
    "ethnicity": validation.N_("民族"),
}


def _models_of():
    return {
        MEMBER_FIELDS: Member,
        PRIVATE_FIELDS: MemberPrivate,
        BRANCH_FIELDS: Organisation,
        POST_FIELDS: Post,
        COMMITMENT_FIELDS: Commitment,
    }


def clean_fields(fields, allowed):
    """The ALLOWED fields of FIELDS, texts checked (control characters, the column's length,
    private data in public ones): ValidationError names the field."""
    model = _models_of().get(allowed)
    data = {}
    for name in allowed:
        if name in fields:
            value = fields[name]
            if isinstance(value, str):
                column = model._meta.fields.get(name) if model else None
                limit = getattr(column, "max_length", None) or 5000
                label = FIELD_LABELS.get(name, name)
                check = validation.public_text if name in PUBLIC_TEXT_FIELDS else validation.text
                value = check(value, name, label, max_length=limit) or None
            data[name] = value
    return data


def refusing(function):
    """Service functions answer MemberError for a refused value too (the message names the field)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except validation.ValidationError as error:
            refused = MemberError.wrapping(error)  # its template and label, translated at the edge
            refused.validation = error
            raise refused from error

    return wrapper


def private_audit(before, after):
    return {k: _PRIVATE_MARK for k in PRIVATE_FIELDS if (before or {}).get(k) != (after or {}).get(k)}
