"""Console users, roles, API tokens and the audit log."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from starqr.models.base import BaseModel, JSONField, utcnow
from starqr.models.organisations import Organisation

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
    session_version = IntegerField(default=0)  # bumped on log-out: every session of the user ends


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
