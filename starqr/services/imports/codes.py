"""Ids and plaque/badge codes for many new rows at once (an import), in a few queries."""

import secrets

from starqr.db import database, is_postgres
from starqr.models import PlaqueCode, PlaqueEvent, utcnow
from starqr.services.imports.bulk_write import insert_select, write_rows
from starqr.services.imports.directory import select_in
from starqr.services.plaques import CODE_ALPHABET, CODE_LENGTH


def reserve_ids(model, count):
    """COUNT fresh primary keys for MODEL, so bulk inserts need no round trip to learn ids.

    PostgreSQL: drawn from the table's sequence. SQLite: after the largest id, inside the
    caller's write transaction (SQLite has one writer at a time).
    """
    if count <= 0:
        return []
    db = database.obj
    table = model._meta.table_name
    if is_postgres(db):
        rows = db.execute_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", (count,)
        ).fetchall()
        return [row[0] for row in rows]
    start = db.execute_sql(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"').fetchone()[0] + 1
    return list(range(start, start + count))


_ACCEPT = 256 - 256 % len(CODE_ALPHABET)  # bytes below this map evenly onto the alphabet
_TO_LETTER = bytes(ord(CODE_ALPHABET[b % len(CODE_ALPHABET)]) for b in range(256))
_REJECTED = bytes(range(_ACCEPT, 256))


def _draw(count):
    """COUNT random codes from the OS's random source, drawn in bulk (secrets.choice per letter is
    ~20x slower at 100,000 codes); rejection keeps every letter equally likely."""
    need = count * CODE_LENGTH
    letters = b""
    while len(letters) < need:
        letters += secrets.token_bytes(need - len(letters) + need // 16 + 16).translate(None, _REJECTED)
    text = letters[:need].translate(_TO_LETTER).decode("ascii")
    return {text[i : i + CODE_LENGTH] for i in range(0, need, CODE_LENGTH)}


def _unused_codes(count):
    """COUNT fresh codes that no plaque holds. When the new codes are many beside the codes
    already issued, the issued ones are read once into a set; else looked up in chunks."""
    issued = None
    if count > 2000 and PlaqueCode.select().count() <= 4 * count:
        issued = {code for (code,) in PlaqueCode.select(PlaqueCode.code).tuples()}
    codes = set()
    while len(codes) < count:
        fresh = _draw(count - len(codes)) - codes
        if issued is not None:
            taken = fresh & issued
        else:
            taken = {
                row[0] for row in select_in('SELECT "code" FROM "plaque_code" WHERE "code" IN ({})', sorted(fresh))
            }
        codes |= fresh - taken
    return list(codes)


def issue_many(subject_kind, subject_ids, actor, reason="首次挂牌"):
    """Issue a first code to each subject. Returns {subject id: code}. Call inside a transaction.

    The codes go in by COPY (PostgreSQL) or one prepared statement (SQLite); their "issued"
    events are one INSERT ... SELECT in the database."""
    if not subject_ids:
        return {}
    now = utcnow()
    if not is_postgres():
        now = now.isoformat(" ")  # SQLite: text once, not the driver's adapter per row
    issued = dict(zip(subject_ids, _unused_codes(len(subject_ids))))
    ids = reserve_ids(PlaqueCode, len(issued))
    fields = PlaqueCode._meta.fields
    write_rows(
        PlaqueCode,
        [
            fields[n]
            for n in ("id", "code", "subject_kind", "subject_id", "version", "status", "issued_at", "issued_by")
        ],
        [
            (code_id, code, subject_kind, subject_id, 1, "active", now, actor)
            for code_id, (subject_id, code) in zip(ids, issued.items())
        ],
    )
    fields = PlaqueEvent._meta.fields
    insert_select(
        PlaqueEvent,
        [fields[n] for n in ("plaque", "action", "actor", "reason", "at")],
        ids,
        ("issued", actor, reason, now),
        PlaqueCode,
    )
    return issued
