"""Ids and plaque/badge codes for many new rows at once (an import), in a few queries."""
import secrets

from starqr.db import bulk_insert_dicts, database
from starqr.models import PlaqueCode, PlaqueEvent, utcnow
from starqr.services.imports.directory import _select_in
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
    if db.__class__.__name__.startswith("Postgres"):
        rows = db.execute_sql(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                              f"FROM generate_series(1, %s)", (count,)).fetchall()
        return [row[0] for row in rows]
    start = db.execute_sql(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"').fetchone()[0] + 1
    return list(range(start, start + count))


def _unused_codes(count):
    choice = secrets.choice
    codes = set()
    while len(codes) < count:
        fresh = {"".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count - len(codes))}
        fresh -= codes
        taken = {row[0] for row in _select_in('SELECT "code" FROM "plaque_code" WHERE "code" IN ({})', sorted(fresh))}
        codes |= fresh - taken
    return list(codes)


def issue_many(subject_kind, subject_ids, actor, reason="首次挂牌"):
    """Issue a first code to each subject. Returns {subject id: code}. Call inside a transaction."""
    if not subject_ids:
        return {}
    now = utcnow()
    issued = dict(zip(subject_ids, _unused_codes(len(subject_ids))))
    ids = reserve_ids(PlaqueCode, len(issued))
    bulk_insert_dicts(PlaqueCode, [dict(id=code_id, code=code, subject_kind=subject_kind, subject_id=subject_id,
                                        version=1, status="active", issued_at=now, issued_by=actor)
                                   for code_id, (subject_id, code) in zip(ids, issued.items())])
    bulk_insert_dicts(PlaqueEvent, [dict(plaque=code_id, action="issued", actor=actor, reason=reason, at=now)
                                    for code_id in ids])
    return issued
