"""Active members per branch as a maintained aggregate (branch_member_count), kept by triggers.

Triggers, not application code: every door that writes members (console, roster import,
demo, bulk loads, SQL by hand) keeps the count right. Town and banner pages sum the rows
of their branches instead of counting a region's members.
"""

SQLITE = [
    'CREATE TABLE "branch_member_count" ("branch_id" INTEGER NOT NULL PRIMARY KEY, '
    '"members" INTEGER NOT NULL DEFAULT 0)',
    'INSERT INTO "branch_member_count" ("branch_id", "members") '
    'SELECT "branch_id", COUNT(*) FROM "member" WHERE "active" GROUP BY "branch_id"',
    """CREATE TRIGGER "member_count_insert" AFTER INSERT ON "member" WHEN NEW."active" BEGIN
        INSERT INTO "branch_member_count" ("branch_id", "members") VALUES (NEW."branch_id", 1)
        ON CONFLICT ("branch_id") DO UPDATE SET "members" = "members" + 1;
    END""",
    """CREATE TRIGGER "member_count_update" AFTER UPDATE OF "branch_id", "active" ON "member" BEGIN
        UPDATE "branch_member_count" SET "members" = "members" - 1 WHERE "branch_id" = OLD."branch_id" AND OLD."active";
        INSERT INTO "branch_member_count" ("branch_id", "members") SELECT NEW."branch_id", 1 WHERE NEW."active"
        ON CONFLICT ("branch_id") DO UPDATE SET "members" = "members" + 1;
    END""",
    """CREATE TRIGGER "member_count_delete" AFTER DELETE ON "member" WHEN OLD."active" BEGIN
        UPDATE "branch_member_count" SET "members" = "members" - 1 WHERE "branch_id" = OLD."branch_id";
    END""",
]

POSTGRES = [
    'CREATE TABLE "branch_member_count" ("branch_id" INTEGER NOT NULL PRIMARY KEY, '
    '"members" INTEGER NOT NULL DEFAULT 0)',
    'INSERT INTO "branch_member_count" ("branch_id", "members") '
    'SELECT "branch_id", COUNT(*) FROM "member" WHERE "active" GROUP BY "branch_id"',
    """CREATE OR REPLACE FUNCTION "starqr_member_count"() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF OLD."active" THEN
                UPDATE "branch_member_count" SET "members" = "members" - 1 WHERE "branch_id" = OLD."branch_id";
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NEW."active" THEN
                INSERT INTO "branch_member_count" ("branch_id", "members") VALUES (NEW."branch_id", 1)
                ON CONFLICT ("branch_id") DO UPDATE SET "members" = "branch_member_count"."members" + 1;
            END IF;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    'CREATE TRIGGER "member_count" AFTER INSERT OR DELETE OR UPDATE OF "branch_id", "active" ON "member" '
    'FOR EACH ROW EXECUTE FUNCTION "starqr_member_count"()',
]


def upgrade(db):
    for statement in SQLITE if "sqlite" in type(db).__name__.lower() else POSTGRES:
        db.execute_sql(statement)
