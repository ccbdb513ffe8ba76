"""Rubric versions, rating periods and immutable rating snapshots."""

from peewee import BooleanField, CharField, DateField, DateTimeField, DecimalField, IntegerField, TextField
from peewee import ForeignKeyField

from starqr.models.base import BaseModel, JSONField, utcnow


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
    # {branch id: [organisation rubric key, member rubric key]} pinned with the rubric
    # versions when the period is scheduled or published (services.period_rules).
    rubric_assignments = TextField(null=True)

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


class RatingHold(BaseModel):
    """A subject the last rating run could not rate, and why (a code the edge translates).

    Replaced on every run of the period; a held subject keeps its last published rating.
    """

    period = ForeignKeyField(RatingPeriod, backref="holds", on_delete="CASCADE")
    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    reason = CharField(max_length=40)  # e.g. value_out_of_range, rubric_missing, engine_error
    detail = JSONField(default=dict)  # parameters of the reason (item, value, bounds...)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("period", "subject_kind", "subject_id"), True),)


class PeriodRubric(BaseModel):
    """The rubric version a period uses for one rubric key, pinned when it is scheduled."""

    period = ForeignKeyField(RatingPeriod, backref="pinned_rubrics", on_delete="CASCADE")
    key = CharField(max_length=60)
    rubric = ForeignKeyField(RubricVersion, on_delete="RESTRICT")
    pinned_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("period", "key"), True),)
