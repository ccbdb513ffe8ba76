"""Stored public pages (public_page) and per-subject page versions (page_subject)."""

from peewee import BigIntegerField, BlobField, CharField, DateField, DateTimeField, IntegerField, Model

from starqr.models.base import utcnow


class PublicPage(Model):
    code = CharField(max_length=16)
    lang = CharField(max_length=8)
    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    plaque_id = IntegerField()
    gz = BlobField()
    etag = CharField(max_length=40)
    rev = BigIntegerField()
    sver = BigIntegerField()
    day = DateField()
    size = IntegerField()
    generated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "public_page"
        indexes = ((("code", "lang"), True), (("subject_kind", "subject_id"), False))


class PageSubject(Model):
    subject_kind = CharField(max_length=16)
    subject_id = IntegerField()
    version = BigIntegerField(default=0)
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "page_subject"
        indexes = ((("subject_kind", "subject_id"), True), (("changed_at",), False))


def upgrade(db):
    with db.bind_ctx([PublicPage, PageSubject]):
        db.create_tables([PublicPage, PageSubject])
