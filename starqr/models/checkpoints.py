"""Signed checkpoints of the ledger's hash chain (see starqr.checkpoints)."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from starqr.models.base import BaseModel, utcnow
from starqr.models.ratings import RatingPeriod


class LedgerCheckpoint(BaseModel):
    """The chain head (entry count, newest entry id, head hash) at a moment, signed with Ed25519.

    The signing key lives outside the database, so someone who can rewrite tables cannot
    sign a rebuilt chain; a copy of any checkpoint kept elsewhere proves what came before.
    """

    entry_count = IntegerField()
    last_entry_id = IntegerField()
    head_hash = CharField(max_length=64)
    tree_root = CharField(max_length=64, null=True)  # RFC 9162 Merkle tree head over the entry hashes
    tree_frontier = TextField(null=True)  # the tree's compact range: the next checkpoint continues from it
    signed_at = CharField(max_length=32)  # ISO UTC text, exactly as signed
    public_key = CharField(max_length=64)  # hex
    signature = CharField(max_length=128)  # hex
    reason = CharField(max_length=20, default="manual")  # manual | publication
    period = ForeignKeyField(RatingPeriod, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
