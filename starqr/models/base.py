"""Shared base model and field helpers."""
import datetime
import json

from peewee import Model, TextField

from starqr.db import database


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
        database = database
        legacy_table_names = False


# A subject of a rating, a ledger entry, a commitment or a plaque: an organisation or a member.
ORGANISATION = "organisation"
MEMBER = "member"
SUBJECT_KINDS = (ORGANISATION, MEMBER)
