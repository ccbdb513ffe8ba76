"""Numbered schema migrations, each a module `mNNNN_name.py` with `upgrade(db)`.

Each migration freezes the models it needs, so later changes to starqr.models never
change what an old migration does. Applied migrations are recorded in `schema_migration`.
"""

import importlib
import pkgutil

from peewee import CharField, DateTimeField, Model

from starqr.models.base import utcnow


def _migration_table(db):
    class SchemaMigration(Model):
        name = CharField(primary_key=True, max_length=80)
        applied_at = DateTimeField(default=utcnow)

        class Meta:
            database = db
            table_name = "schema_migration"

    return SchemaMigration


def available():
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("m")]
    return sorted(names)


def applied(db):
    table = _migration_table(db)
    if not db.table_exists(table._meta.table_name):
        return []
    return sorted(row.name for row in table.select())


def migrate(db, target=None):
    """Apply every pending migration up to TARGET (a name), in order. Returns what ran."""
    table = _migration_table(db)
    db.create_tables([table], safe=True)
    done = set(applied(db))
    ran = []
    for name in available():
        if name in done:
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        with db.atomic():
            module.upgrade(db)
            table.create(name=name)
        ran.append(name)
        if name == target:
            break
    if ran:
        db.execute_sql("ANALYZE")  # fresh planner statistics for the new schema and data
    return ran
