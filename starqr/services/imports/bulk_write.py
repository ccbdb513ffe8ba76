"""Writing an import's many new rows fast, inside the caller's transaction.

PostgreSQL: COPY ... FROM STDIN (one round trip for the whole batch; row triggers, constraints
and indexes apply as for INSERT). SQLite: one prepared statement (executemany). Rows derived
from rows just written (a badge's "issued" event) are one INSERT ... SELECT in the database.
"""

import datetime
import io

from starqr.db import DRIVER_NATIVE_FIELDS, bulk_insert, database, is_postgres

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value):
    """VALUE in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def write_rows(model, fields, rows):
    """Insert ROWS (tuples in FIELDS order) into MODEL's table. Returns how many."""
    if not rows:
        return 0
    if not is_postgres():
        return bulk_insert(model, fields, rows)
    converted = [i for i, f in enumerate(fields) if not isinstance(f, DRIVER_NATIVE_FIELDS)]
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        if converted:
            row = list(row)
            for i in converted:
                row[i] = fields[i].db_value(row[i])
        write("\t".join(map(copy_text, row)))
        write("\n")
    buffer.seek(0)
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    with database.atomic():
        database.obj.cursor().copy_expert(f'COPY "{model._meta.table_name}" ({columns}) FROM STDIN', buffer)
    return len(rows)


def insert_select(model, fields, ids, constants, source_model):
    """INSERT INTO MODEL (FIELDS) one row per id of IDS: the id, then CONSTANTS, computed in the
    database (no row travels from Python). IDS: ids of SOURCE_MODEL rows just written."""
    if not ids:
        return 0
    db = database.obj
    table = model._meta.table_name
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    values = ", ".join([db.param] * len(constants))
    constants = [f.db_value(v) for f, v in zip(fields[1:], constants)]
    if is_postgres():
        sql = f'INSERT INTO "{table}" ({columns}) SELECT "id", {values} FROM unnest(%s) AS "new"("id") ORDER BY "id"'
        db.execute_sql(sql, constants + [list(ids)])
        return len(ids)
    first, last = min(ids), max(ids)
    if last - first + 1 != len(ids):  # not one range: row by row
        return bulk_insert(model, fields, [(i, *constants) for i in ids])
    source = source_model._meta.table_name
    sql = f'INSERT INTO "{table}" ({columns}) SELECT "id", {values} FROM "{source}" WHERE "id" BETWEEN ? AND ? ORDER BY "id"'
    db.execute_sql(sql, constants + [first, last])
    return len(ids)
