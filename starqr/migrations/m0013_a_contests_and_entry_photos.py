"""Photos evidencing ledger entries; 比武争星 contests, entrants, judges and scores."""

import datetime

from peewee import BooleanField, CharField, DateTimeField, DecimalField, IntegerField, Model, TextField


def _utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class EntryPhoto(Model):
    entry_id = IntegerField(index=True)
    name = CharField(max_length=40, unique=True)
    public = BooleanField(default=False)
    added_by = CharField(max_length=60)
    created_at = DateTimeField(default=_utcnow)

    class Meta:
        table_name = "entry_photo"


class Contest(Model):
    name = CharField(max_length=120)
    organiser = CharField(max_length=60)
    scope_organisation_id = IntegerField(null=True)
    sheet_key = CharField(max_length=60)
    sheet = TextField(default="{}")
    state = CharField(max_length=8, default="open", index=True)
    held_on = CharField(max_length=10, null=True)
    results = TextField(default="[]")
    award_item = CharField(max_length=60, null=True)
    award_top = IntegerField(default=0)
    created_at = DateTimeField(default=_utcnow)
    closed_at = DateTimeField(null=True)

    class Meta:
        table_name = "contest"


class ContestEntrant(Model):
    contest_id = IntegerField(index=True)
    organisation_id = IntegerField()

    class Meta:
        table_name = "contest_entrant"
        indexes = ((("contest_id", "organisation_id"), True),)


class ContestJudge(Model):
    contest_id = IntegerField(index=True)
    name = CharField(max_length=60)
    user_id = IntegerField(null=True)
    organisation_id = IntegerField(null=True)
    token_hash = CharField(max_length=64, null=True, unique=True)
    created_at = DateTimeField(default=_utcnow)

    class Meta:
        table_name = "contest_judge"


class ContestScore(Model):
    contest_id = IntegerField(index=True)
    judge_id = IntegerField()
    organisation_id = IntegerField()
    scores = TextField(default="{}")
    total = DecimalField(max_digits=8, decimal_places=2, auto_round=True)
    note = TextField(null=True)
    updated_at = DateTimeField(default=_utcnow)

    class Meta:
        table_name = "contest_score"
        indexes = ((("contest_id", "judge_id", "organisation_id"), True),)


MODELS = [EntryPhoto, Contest, ContestEntrant, ContestJudge, ContestScore]


def upgrade(db):
    with db.bind_ctx(MODELS):
        db.create_tables(MODELS)
