"""Shared base model and field helpers."""

import datetime
import decimal

import orjson

from peewee import Model, TextField

from starqr.db import database


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


class JSONField(TextField):
    """JSON stored as text, so SQLite and PostgreSQL behave the same.

    orjson, not json: rating runs write three JSON fields per subject, and for 100,000
    subjects the standard library's encoder alone took ~3.5 s (orjson: ~0.5 s).
    """

    def db_value(self, value):
        if value is None:
            return None
        return orjson.dumps(value, default=_json_default, option=orjson.OPT_SORT_KEYS).decode()

    def python_value(self, value):
        return None if value is None else orjson.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


# A subject of a rating, a ledger entry, a commitment or a plaque: an organisation or a member.
ORGANISATION = "organisation"
MEMBER = "member"
SUBJECT_KINDS = (ORGANISATION, MEMBER)
