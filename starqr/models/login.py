"""Log-in throttling: failures counted per account and per address, answered with growing waits."""

from peewee import CharField, DateTimeField, IntegerField

from starqr.models.base import BaseModel, utcnow


class LoginThrottle(BaseModel):
    """key: "account:<sha256 of the name>" (known or not: the same for both) or "address:<ip>"."""

    key = CharField(max_length=120, primary_key=True)
    failures = IntegerField(default=0)
    last_failure_at = DateTimeField(default=utcnow)
    wait_until = DateTimeField(null=True)
