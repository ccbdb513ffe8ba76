"""Exported pages (l15s): which subjects changed since a moment, and where each host's scan log was read up to.

- page_subject.changed_tx: the writing transaction of the last bump (PostgreSQL: txid_current();
  SQLite, one writer at a time: the largest value so far + 1). The page exporter reads the rows
  changed since its last look without missing a transaction that commits late (see
  services/page_export.py).
- scan_log_cursor: per host and log file, the inode and offset up to which nginx's scan log has
  been counted; moved in the same transaction as the counts, so no line is counted twice.
- an index on public_page.generated_at: the exporter asks for the pages stored since a moment.
"""

STATEMENTS = [
    'ALTER TABLE "page_subject" ADD COLUMN "changed_tx" BIGINT NOT NULL DEFAULT 0',
    'CREATE INDEX "page_subject_changed_tx" ON "page_subject" ("changed_tx")',
    'CREATE INDEX "public_page_generated_at" ON "public_page" ("generated_at")',
    'CREATE TABLE "scan_log_cursor" ("host" VARCHAR(255) NOT NULL, "path" VARCHAR(1000) NOT NULL, '
    '"inode" BIGINT NOT NULL, "offset" BIGINT NOT NULL, PRIMARY KEY ("host", "path"))',
]


def upgrade(db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
