"""Initial schema (frozen copy of the models as first released)."""
import datetime
import json

from peewee import (BooleanField, CharField, DateField, DateTimeField, DecimalField,
                    ForeignKeyField, IntegerField, Model, TextField)


# ---- frozen from starqr/models/base.py ----




def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class JSONField(TextField):
    """JSON stored as text, so SQLite and PostgreSQL behave the same."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        legacy_table_names = False


# A subject of a rating, a ledger entry, a commitment or a plaque: an organisation or a member.
ORGANISATION = "organisation"
MEMBER = "member"
SUBJECT_KINDS = (ORGANISATION, MEMBER)

# ---- frozen from starqr/models/organisations.py ----


LEVELS = ("banner", "town", "unit", "branch")
# The unit (third level) says what kind of place it is; the domain picks the rubric.
UNIT_KINDS = ("village", "community", "organ", "state_enterprise", "private_enterprise", "social")
DOMAINS = ("rural", "community", "organ", "state_enterprise", "private_enterprise", "social")


class Organisation(BaseModel):
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    # Materialised path "/1/7/42/" so a whole subtree is one indexed LIKE 'prefix%' query.
    path = CharField(max_length=255, index=True, default="/")
    level = CharField(max_length=16)
    unit_kind = CharField(max_length=24, null=True)
    domain = CharField(max_length=24)
    name_zh = CharField(max_length=120)
    name_mn = CharField(max_length=240, null=True)
    short_name = CharField(max_length=60, null=True)
    secretary_name = CharField(max_length=60, null=True)
    venue_area_m2 = DecimalField(max_digits=10, decimal_places=1, null=True, auto_round=True)
    venue_address = CharField(max_length=255, null=True)  # the activity venue: a public place
    founded_on = DateField(null=True)
    feature_projects = TextField(null=True)  # brand / feature projects, one per line
    office_phone = CharField(max_length=40, null=True)  # the office's public line, not a person's
    rubric_key = CharField(max_length=60, null=True)  # None: the domain's default rubric

    def __str__(self):
        return self.name_zh

# ---- frozen from starqr/models/members.py ----


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
    reason_not_kept = TextField(null=True)  # shown publicly when the status is not_done
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("subject_kind", "subject_id", "year"), False),)

# ---- frozen from starqr/models/ratings.py ----



class RubricVersion(BaseModel):
    """One version of a rubric file, kept for ever so a rating can say what produced it."""

    key = CharField(max_length=60)
    version = IntegerField()
    scope = CharField(max_length=16)
    name = CharField(max_length=120)
    text = TextField()
    uploaded_by = CharField(max_length=60, null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("key", "version"), True),)


PERIOD_STATES = ("draft", "scheduled", "notice", "final")


class RatingPeriod(BaseModel):
    """A year or a quarter. draft → scheduled → notice (公示) → final."""

    name = CharField(max_length=60)  # e.g. 2025年度
    kind = CharField(max_length=8, default="year")  # year | quarter
    year = IntegerField()
    quarter = IntegerField(null=True)
    starts_on = DateField()
    ends_on = DateField()
    state = CharField(max_length=12, default="draft", index=True)
    publish_at = DateTimeField(null=True)  # UTC, when state is scheduled
    notice_days = IntegerField(default=5)
    notice_ends_at = DateTimeField(null=True)  # UTC
    published_at = DateTimeField(null=True)
    finalised_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("year", "quarter"), False),)

    def __str__(self):
        return self.name


class Rating(BaseModel):
    """A rating of one subject in one period.

    Drafts are recomputed freely; once published a row never changes. A correction
    after publication is a new published row that names the one it supersedes.
    """

    period = ForeignKeyField(RatingPeriod, backref="ratings", on_delete="RESTRICT")
    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    rubric = ForeignKeyField(RubricVersion, on_delete="RESTRICT")
    total = DecimalField(max_digits=8, decimal_places=2, auto_round=True)
    stars = IntegerField()
    max_stars = IntegerField(default=5)
    breakdown = JSONField(default=list)
    designations = JSONField(default=list)
    vetoed = BooleanField(default=False)
    veto_items = JSONField(default=list)
    exempt = BooleanField(default=False)
    listing = CharField(max_length=16, null=True)
    published = BooleanField(default=False)
    published_at = DateTimeField(null=True)
    supersedes = ForeignKeyField("self", null=True, backref="superseded_by", on_delete="RESTRICT")
    correction_reason = TextField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("subject_kind", "subject_id", "period"), False),
            (("period", "published"), False),
        )

# ---- frozen from starqr/models/ledger.py ----



class LedgerEntry(BaseModel):
    """Never updated, never deleted: see starqr.ledger for the only writer."""

    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    period = ForeignKeyField(RatingPeriod, backref="ledger_entries", on_delete="RESTRICT")
    item = CharField(max_length=60)  # rubric item id
    points = DecimalField(max_digits=10, decimal_places=2, auto_round=True)
    quantity = IntegerField(default=1)  # events this entry counts; -1 on a reversal
    reason = TextField()
    public_reason = BooleanField(default=True)  # False: the reason is kept off public pages
    evidence = TextField(null=True)
    recorded_by = CharField(max_length=60)
    recorded_at = DateTimeField(default=utcnow)
    occurred_on = CharField(max_length=10, null=True)  # ISO date of the event itself
    corrects = ForeignKeyField("self", null=True, backref="corrections", on_delete="RESTRICT")
    source = CharField(max_length=80, null=True)  # e.g. "import:<sha256 prefix>:<row>"
    entry_hash = CharField(max_length=64)
    previous_hash = CharField(max_length=64)

    class Meta:
        indexes = (
            (("period", "subject_kind", "subject_id"), False),
            (("source",), True),
        )


class LedgerHead(BaseModel):
    """One row holding the hash of the newest entry; locked while appending."""

    id = IntegerField(primary_key=True)
    last_entry_id = IntegerField(default=0)
    last_hash = CharField(max_length=64)

# ---- frozen from starqr/models/plaques.py ----



class PlaqueCode(BaseModel):
    code = CharField(max_length=16, unique=True)
    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    version = IntegerField(default=1)  # 1 for the first plaque of a subject, +1 per reissue
    status = CharField(max_length=10, default="active")  # active | revoked
    issued_at = DateTimeField(default=utcnow)
    issued_by = CharField(max_length=60, default="system")
    revoked_at = DateTimeField(null=True)
    revoked_by = CharField(max_length=60, null=True)
    revoke_reason = TextField(null=True)
    replaced_by = ForeignKeyField("self", null=True, on_delete="RESTRICT")

    class Meta:
        indexes = ((("subject_kind", "subject_id", "status"), False),)


class PlaqueEvent(BaseModel):
    """Every issue and revocation, with who and why."""

    plaque = ForeignKeyField(PlaqueCode, backref="events", on_delete="RESTRICT")
    action = CharField(max_length=16)  # issued | revoked | reissued
    actor = CharField(max_length=60)
    reason = TextField(null=True)
    at = DateTimeField(default=utcnow)

# ---- frozen from starqr/models/accounts.py ----


ROLES = ("admin", "org_admin", "secretary", "viewer")


class User(BaseModel):
    username = CharField(max_length=60, unique=True)
    display_name = CharField(max_length=60, null=True)
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16)
    # The subtree (org_admin, viewer) or branch (secretary) this user may touch; None for admin.
    organisation = ForeignKeyField(Organisation, null=True, on_delete="RESTRICT")
    active = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)


class ApiToken(BaseModel):
    user = ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = CharField(max_length=60)
    token_hash = CharField(max_length=64, unique=True)  # sha256 of the token; the token is shown once
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)
    revoked = BooleanField(default=False)


class AuditLog(BaseModel):
    actor = CharField(max_length=60)
    action = CharField(max_length=60)
    target = CharField(max_length=120)
    before = JSONField(null=True)
    after = JSONField(null=True)
    at = DateTimeField(default=utcnow, index=True)

# ---- frozen from starqr/models/public.py ----



class Objection(BaseModel):
    reference = CharField(max_length=16, unique=True)  # shown to the sender
    plaque = ForeignKeyField(PlaqueCode, backref="objections", on_delete="RESTRICT")
    period = ForeignKeyField(RatingPeriod, null=True, on_delete="RESTRICT")
    text = TextField()
    contact = CharField(max_length=120, null=True)  # private: administrators only
    status = CharField(max_length=10, default="open", index=True)  # open | accepted | rejected
    resolution = TextField(null=True)  # a rejection's reason is shown on the public page
    resolved_by = CharField(max_length=60, null=True)
    resolved_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class ScanCount(BaseModel):
    """Scans per code per day. No IP address, no user agent: nothing that tracks a person."""

    plaque = ForeignKeyField(PlaqueCode, backref="scan_counts", on_delete="CASCADE")
    day = DateField()
    count = IntegerField(default=0)

    class Meta:
        indexes = ((("plaque", "day"), True),)


class Revision(BaseModel):
    """A counter bumped by every write that changes what public pages show.

    Public page caches and ETags key on it, so a new ledger entry shows at once in
    every worker process.
    """

    id = IntegerField(primary_key=True)
    value = IntegerField(default=0)

MODELS = [
    Organisation, Member, MemberPrivate, Post, Commitment,
    RubricVersion, RatingPeriod, Rating, LedgerEntry, LedgerHead,
    PlaqueCode, PlaqueEvent, User, ApiToken, AuditLog,
    Objection, ScanCount, Revision,
]


def upgrade(db):
    with db.bind_ctx(MODELS):
        db.create_tables(MODELS)
