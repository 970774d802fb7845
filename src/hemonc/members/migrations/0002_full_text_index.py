"""The directory's full-text index: a GIN index on PostgreSQL, an FTS5 table on SQLite."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE members_profile_fts USING fts5("
    "search_document, content='members_profile', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER members_profile_fts_insert AFTER INSERT ON members_profile BEGIN "
    "INSERT INTO members_profile_fts(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
    "CREATE TRIGGER members_profile_fts_delete AFTER DELETE ON members_profile BEGIN "
    "INSERT INTO members_profile_fts(members_profile_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    "CREATE TRIGGER members_profile_fts_update AFTER UPDATE OF search_document "
    "ON members_profile BEGIN "
    "INSERT INTO members_profile_fts(members_profile_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    "INSERT INTO members_profile_fts(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS members_profile_fts_update",
    "DROP TRIGGER IF EXISTS members_profile_fts_delete",
    "DROP TRIGGER IF EXISTS members_profile_fts_insert",
    "DROP TABLE IF EXISTS members_profile_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX members_profile_search_gin ON members_profile "
    "USING gin (to_tsvector('simple', search_document))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS members_profile_search_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
