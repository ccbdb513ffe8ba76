"""Organisations below an organisation as an index range (l15r): on PostgreSQL an index on
organisation.path in the "C" collation, where "/1/2/" <= path < "/1/20" is exactly the paths
below /1/2/ (paths are digits and slashes). The default-collation index cannot answer that
range reliably (a locale collation may ignore the slashes) nor a LIKE/ILIKE prefix, so the
town and banner pages scanned every organisation of the region (130 ms at 1.7M members).
SQLite compares paths byte by byte: its organisation_path index already answers the range.
"""


def upgrade(db):
    if db.param != "?":
        db.execute_sql('CREATE INDEX "organisation_path_c" ON "organisation" ("path" COLLATE "C")')
