"""Stored public pages: each subject's scan page rendered once per change, served by lookup.

A page is fresh while the global revision and its subject's version are the ones it was
rendered under (and it was rendered today: pages show ages and "as of" dates). Writes
bump versions inside their transaction (starqr.services.revision.bump), so a stale page
is never served after the write commits, in any worker or on any host.
"""

from peewee import BigIntegerField, BlobField, CharField, DateField, DateTimeField, IntegerField

from starqr.models.base import BaseModel, utcnow


class PublicPage(BaseModel):
    code = CharField(max_length=16)
    lang = CharField(max_length=8)  # zh | mn | en | json
    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    plaque_id = IntegerField()
    gz = BlobField()  # the body, gzip-compressed (plain bodies are decompressed on demand)
    etag = CharField(max_length=40)
    rev = BigIntegerField()  # the global revision it was rendered under
    sver = BigIntegerField()  # its subject's version when rendered
    day = DateField()
    size = IntegerField()  # uncompressed bytes
    generated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "public_page"
        indexes = ((("code", "lang"), True), (("subject_kind", "subject_id"), False))


class PageSubject(BaseModel):
    """A subject's page version: bumped by every write that changes what its page shows."""

    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    version = BigIntegerField(default=0)
    changed_at = DateTimeField(default=utcnow)
    changed_tx = BigIntegerField(default=0)  # the bumping transaction (services/page_export.py)

    class Meta:
        table_name = "page_subject"
        indexes = ((("subject_kind", "subject_id"), True), (("changed_at",), False))
