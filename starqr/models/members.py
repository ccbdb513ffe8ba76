"""Members, their posts and duties, and commitments; private data kept in its own table."""

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from starqr.models.base import BaseModel, JSONField, utcnow
from starqr.models.organisations import Organisation

CATEGORIES = ("backbone", "ordinary", "mobile", "special")  # 骨干 / 普通 / 流动 / 特殊
STATUSES = ("probationary", "full")  # 预备 / 正式
OCCUPATIONS = ("employed", "farmer_herder", "retired")  # 在职 / 农牧民 / 离退休


class Member(BaseModel):
    branch = ForeignKeyField(Organisation, backref="members", on_delete="RESTRICT")
    name_zh = CharField(max_length=60)
    name_mn = CharField(max_length=160, null=True)
    gender = CharField(max_length=8, null=True)
    ethnicity = CharField(max_length=20, null=True)
    category = CharField(max_length=16, default="ordinary")
    status = CharField(max_length=16, default="full")
    occupation = CharField(max_length=16, null=True)
    joined_on = DateField(null=True)
    full_member_on = DateField(null=True)  # 转正日期: 党龄 counts from here (rubric party_age)
    party_post = CharField(max_length=60, null=True)  # e.g. 支部书记, 组织委员
    honours = TextField(null=True)  # one per line
    volunteer_service = TextField(null=True)  # one per line
    volunteer_hours = IntegerField(default=0)
    photo_path = CharField(max_length=255, null=True)
    consent_photo = BooleanField(default=False)  # a photo is public only with consent
    exempt = BooleanField(default=False)  # opted out of rating (over 70, long-term ill)
    active = BooleanField(default=True)  # False once retired from the roll or transferred out
    left_on = DateField(null=True)
    left_reason = CharField(max_length=120, null=True)
    created_at = DateTimeField(default=utcnow)
    member_number = CharField(max_length=40, null=True, unique=True)  # 党员编号: the roster's key
    missing_from_roster_at = DateTimeField(null=True)  # absent from its branch's last roster import

    def __str__(self):
        return self.name_zh


class MemberPrivate(BaseModel):
    """Never public: identity card number, phone, home address, birth date."""

    member = ForeignKeyField(Member, primary_key=True, backref="private_record", on_delete="CASCADE")
    id_number = CharField(max_length=18, null=True)
    phone = CharField(max_length=20, null=True)
    home_address = CharField(max_length=255, null=True)
    birth_date = DateField(null=True)


class Post(BaseModel):
    """设岗定责: a post a member holds and what it covers."""

    member = ForeignKeyField(Member, backref="posts", on_delete="CASCADE")
    title = CharField(max_length=60)  # e.g. 环境卫生巡护岗
    duties = TextField()
    since = DateField(null=True)
    active = BooleanField(default=True)


COMMITMENT_STATUSES = ("not_started", "in_progress", "done", "not_done")


class Commitment(BaseModel):
    """承诺践诺: made public at the start of the year, appraised at its end."""

    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    year = IntegerField()
    text = TextField()
    deadline = DateField(null=True)
    status = CharField(max_length=16, default="not_started")
    progress_notes = JSONField(default=list)  # [{"date": "2025-06-30", "text": "..."}]
    evidence = JSONField(default=list)  # [{"kind": "photo"|"text", "value": "..."}]
    evaluation = TextField(null=True)
    reason_not_kept = TextField(null=True)  # shown publicly when not_done AND reason_public
    reason_public = BooleanField(default=False)  # a secretary checked the reason holds nothing private
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("subject_kind", "subject_id", "year"), False),)
