"""Photos attached to ledger entries, and 比武争星 star contests scored on site."""

from peewee import BooleanField, CharField, DateTimeField, DecimalField, IntegerField, TextField

from starqr.models.base import BaseModel, JSONField, utcnow


class EntryPhoto(BaseModel):
    """A re-encoded photo (no EXIF, no location) evidencing a ledger entry; private unless public."""

    entry_id = IntegerField(index=True)  # ledger_entry.id (the ledger itself is never changed)
    name = CharField(max_length=40, unique=True)  # <32 hex>.jpg under the upload folder's evidence/
    public = BooleanField(default=False)
    added_by = CharField(max_length=60)
    created_at = DateTimeField(default=utcnow)


CONTEST_STATES = ("open", "closed")


class Contest(BaseModel):
    """A round of 比武争星: branches scored by judges against a sheet of criteria."""

    name = CharField(max_length=120)
    organiser = CharField(max_length=60)  # username of the administrator who runs it
    scope_organisation_id = IntegerField(null=True)  # the organiser's scope root (None: the whole tree)
    sheet_key = CharField(max_length=60)
    sheet = JSONField(default=dict)  # {"name", "criteria": [{"id", "name", "max", "rule"}]}
    state = CharField(max_length=8, default="open", index=True)
    held_on = CharField(max_length=10, null=True)  # ISO date of the round
    results = JSONField(default=list)  # frozen at close: [{"organisation_id", "score", "rank", ...}]
    award_item = CharField(max_length=60, null=True)  # a bonus item written to the ledger at close
    award_top = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    closed_at = DateTimeField(null=True)


class ContestEntrant(BaseModel):
    contest_id = IntegerField(index=True)
    organisation_id = IntegerField()

    class Meta:
        indexes = ((("contest_id", "organisation_id"), True),)


class ContestJudge(BaseModel):
    """A console user, or a visiting secretary with a one-time link (token stored hashed)."""

    contest_id = IntegerField(index=True)
    name = CharField(max_length=60)
    user_id = IntegerField(null=True)
    organisation_id = IntegerField(null=True)  # the judge's own branch: they may not score it
    token_hash = CharField(max_length=64, null=True, unique=True)
    created_at = DateTimeField(default=utcnow)


class ContestScore(BaseModel):
    contest_id = IntegerField(index=True)
    judge_id = IntegerField()
    organisation_id = IntegerField()
    scores = JSONField(default=dict)  # {criterion id: points}
    total = DecimalField(max_digits=8, decimal_places=2, auto_round=True)
    note = TextField(null=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("contest_id", "judge_id", "organisation_id"), True),)
