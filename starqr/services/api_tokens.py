"""API tokens for /api/v1: create (shown once), list, revoke. Only a sha256 is stored."""

from starqr.db import database
from starqr.models import ApiToken, utcnow
from starqr.services import accounts, audit


def create(user, name, actor=None):
    """A new token for USER: (ApiToken, token text). The text is never stored."""
    return accounts.create_api_token(user, (name or "token").strip() or "token")


def for_user(user):
    return list(ApiToken.select().where(ApiToken.user == user).order_by(ApiToken.id.desc()))


def revoke(token, actor):
    with database.atomic():
        ApiToken.update(revoked=True).where(ApiToken.id == token.id).execute()
        audit.record(
            actor, "api_token.revoked", token, before={"revoked": False}, after={"revoked": True, "at": utcnow()}
        )
    return token
