"""The page store: each subject's rendered public page, one indexed row per (code, language).

A scan is one query (services.pages.fetch): the stored page joined with the global revision
and the subject's version; the page is served only if it was rendered under both and today.
Otherwise the caller renders it (starqr.views.public owns the templates), and store() keeps
it; an older render never replaces a newer one. No Flask here: rendering is passed in.

Privacy: the store keeps exactly what the public page shows (profiles.py reads only public
fields); tests/test_page_store.py checks no private field reaches a stored page.
"""

import datetime
import gzip
import hashlib

from peewee import fn

from starqr.db import database
from starqr.models import PlaqueCode, PublicPage
from starqr.models.base import utcnow

LANGS = ("zh", "mn", "en", "json")
EAGER_LANGS = ("zh",)


class StoredPage:
    __slots__ = ("gz", "etag", "plaque_id", "mimetype", "subject_kind", "subject_id")

    def __init__(self, gz, etag, plaque_id, mimetype, subject_kind=None, subject_id=None):
        self.gz = gz
        self.etag = etag
        self.plaque_id = plaque_id
        self.mimetype = mimetype
        self.subject_kind = subject_kind
        self.subject_id = subject_id

    @property
    def body(self):
        return gzip.decompress(self.gz)


def mimetype(lang):
    return "application/json" if lang == "json" else "text/html"


def _fetch_sql():
    p = database.obj.param
    return (
        'SELECT p."gz", p."etag", p."plaque_id", p."day", p."rev", p."sver", r."value", s."version" '
        'FROM "public_page" p LEFT JOIN "revision" r ON r."id" = 1 '
        'LEFT JOIN "page_subject" s ON s."subject_kind" = p."subject_kind" AND s."subject_id" = p."subject_id" '
        f'WHERE p."code" = {p} AND p."lang" = {p}'
    )


_SQL = {}


def fetch(code, lang, today=None):
    """The stored page of CODE in LANG if it is current, else None. One query."""
    db = database.obj
    sql = _SQL.get(db.param)
    if sql is None:
        sql = _SQL[db.param] = _fetch_sql()
    row = db.execute_sql(sql, (code, lang)).fetchone()
    if row is None:
        return None
    gz, etag, plaque_id, day, rev, sver, current_rev, current_sver = row
    if rev != (current_rev or 0) or sver != (current_sver or 0):
        return None
    today = today or datetime.date.today()
    if (day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day)) != today:
        return None
    return StoredPage(bytes(gz), etag, plaque_id, mimetype(lang))


def resolve(code):
    """The plaque CODE names with the versions its page is rendered under, read in ONE statement
    before any page data: (PlaqueCode, (rev, sver)) or None. A write committing after this leaves
    the page stored stale rather than wrong."""
    p = database.obj.param
    row = database.execute_sql(
        'SELECT c."id", c."code", c."subject_kind", c."subject_id", c."status", '
        '(SELECT "value" FROM "revision" WHERE "id" = 1), '
        '(SELECT s."version" FROM "page_subject" s WHERE s."subject_kind" = c."subject_kind" '
        'AND s."subject_id" = c."subject_id") '
        f'FROM "plaque_code" c WHERE c."code" = {p}',
        (code,),
    ).fetchone()
    if row is None:
        return None
    plaque_id, code, kind, subject_id, status, rev, sver = row
    plaque = PlaqueCode(id=plaque_id, code=code, subject_kind=kind, subject_id=subject_id, status=status)
    return plaque, (rev or 0, sver or 0)


def make(body, lang, plaque_id, subject_kind=None, subject_id=None):
    gz = gzip.compress(body, 6, mtime=0)
    etag = "p" + hashlib.blake2b(body, digest_size=10).hexdigest()
    return StoredPage(gz, etag, plaque_id, mimetype(lang), subject_kind, subject_id)


STORE_COLUMNS = '"code", "lang", "subject_kind", "subject_id", "plaque_id", "gz", "etag", "rev", "sver", "day", "size", "generated_at"'


def _store_sql(values):
    return (
        f'INSERT INTO "public_page" ({STORE_COLUMNS}) VALUES {values} '
        'ON CONFLICT ("code", "lang") DO UPDATE SET "gz" = excluded."gz", "etag" = excluded."etag", '
        '"rev" = excluded."rev", "sver" = excluded."sver", "day" = excluded."day", "size" = excluded."size", '
        '"generated_at" = excluded."generated_at", "plaque_id" = excluded."plaque_id" '
        'WHERE excluded."rev" >= "public_page"."rev" AND excluded."sver" >= "public_page"."sver" '
        'AND excluded."day" >= "public_page"."day"'
    )


def _store_row(code, lang, page, size, stamp, today, now):
    rev, sver = stamp
    return (
        code,
        lang,
        page.subject_kind,
        page.subject_id,
        page.plaque_id,
        page.gz,
        page.etag,
        rev,
        sver,
        today,
        size,
        now,
    )


def store(code, lang, page, size, stamp, today=None):
    """Keep PAGE for (CODE, LANG), rendered under STAMP = (rev, sver); never replace a newer one."""
    today = today or datetime.date.today()
    p = database.obj.param
    with database.atomic():
        database.execute_sql(
            _store_sql(f"({', '.join([p] * 12)})"), _store_row(code, lang, page, size, stamp, today, utcnow())
        )


def store_many(items, today=None):
    """store() for many pages at once, one transaction: ITEMS = [(code, lang, page, size, stamp)].
    The same guard: a stored page is never replaced by an older one."""
    if not items:
        return
    today = today or datetime.date.today()
    now = utcnow()
    rows = [_store_row(code, lang, page, size, stamp, today, now) for code, lang, page, size, stamp in items]
    db = database.obj
    with database.atomic():
        cursor = db.cursor()
        if db.param == "?":  # SQLite: executemany of one prepared statement
            cursor.executemany(_store_sql(f"({', '.join(['?'] * 12)})"), rows)
        else:  # PostgreSQL: many rows per statement (psycopg2's executemany is a round trip per row)
            # psycopg2 comes with the optional postgres extra; SQLite installs have none
            from psycopg2.extras import execute_values

            execute_values(cursor, _store_sql("%s"), rows, page_size=len(rows))


def forget(code):
    """Drop every stored page of CODE (a revoked plaque)."""
    return PublicPage.delete().where(PublicPage.code == code).execute()


def stale_codes(limit=1000, lang="zh", today=None):
    """Active codes whose LANG page is missing or stale, for the background builder."""
    today = today or datetime.date.today()
    p = database.obj.param
    sql = (
        'SELECT c."code" FROM "plaque_code" c '
        'LEFT JOIN "public_page" pg ON pg."code" = c."code" AND pg."lang" = ' + p + " "
        'LEFT JOIN "revision" r ON r."id" = 1 '
        'LEFT JOIN "page_subject" s ON s."subject_kind" = c."subject_kind" AND s."subject_id" = c."subject_id" '
        'WHERE c."status" = \'active\' AND (pg."code" IS NULL OR pg."rev" <> COALESCE(r."value", 0) '
        'OR pg."sver" <> COALESCE(s."version", 0) OR pg."day" <> ' + p + ") "
        'ORDER BY c."id" LIMIT ' + str(int(limit))
    )
    return [code for (code,) in database.execute_sql(sql, (lang, today)).fetchall()]


def size_summary():
    """(pages, compressed bytes, uncompressed bytes) in the store."""

    row = (
        PublicPage.select(
            fn.COUNT(PublicPage.id),
            fn.COALESCE(fn.SUM(fn.LENGTH(PublicPage.gz)), 0),
            fn.COALESCE(fn.SUM(PublicPage.size), 0),
        )
        .tuples()
        .first()
    )
    return tuple(int(v or 0) for v in row)
