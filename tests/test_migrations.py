"""Migrations: a database made by an earlier release upgrades in place, keeping its data."""

from starqr.db import open_database
from starqr.migrations import applied, available, migrate


def test_upgrade_in_place_keeps_data(database_url):
    db = open_database(database_url)
    # Start from an empty database at the first release's schema (in any table order).
    if "sqlite" in database_url:
        db.execute_sql("PRAGMA foreign_keys = OFF")
    for table in reversed(db.get_tables()):
        db.execute_sql(f'DROP TABLE "{table}"' + (" CASCADE" if "postgres" in database_url else ""))
    assert migrate(db, target="m0001_initial") == ["m0001_initial"]
    db.execute_sql(
        "INSERT INTO organisation (path, level, domain, name_zh) VALUES ('/1/', 'banner', 'organ', '乌拉特中旗')"
    )
    assert "sort_order" not in [c.name for c in db.get_columns("organisation")]

    ran = migrate(db)

    assert ran == available()[1:]
    assert applied(db) == available()
    assert "sort_order" in [c.name for c in db.get_columns("organisation")]
    assert "import_batch" in db.get_tables()
    if "sqlite" in database_url:
        db.execute_sql("PRAGMA foreign_keys = ON")
    assert db.execute_sql("SELECT name_zh, sort_order FROM organisation").fetchall() == [("乌拉特中旗", 0)]
    assert migrate(db) == []  # running again is harmless
    db.close()


def test_models_match_migrated_schema(app):
    """Every model column exists in the migrated database (a missing migration fails here)."""
    from starqr.db import database
    from starqr.models import ALL_MODELS, ImportBatch

    for model in ALL_MODELS + [ImportBatch]:
        columns = {c.name for c in database.get_columns(model._meta.table_name)}
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert expected <= columns, (model.__name__, expected - columns)
