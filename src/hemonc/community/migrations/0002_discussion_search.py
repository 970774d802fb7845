"""Discussion search: a GIN index on the parsed document (PostgreSQL) or an FTS5 table kept in
step by triggers (SQLite), whichever the database needs (like the directory's)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE community_discussion_fts USING fts5("
    "search_document, content='community_discussion', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER community_discussion_fts_insert AFTER INSERT ON community_discussion BEGIN "
    "INSERT INTO community_discussion_fts(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
    "CREATE TRIGGER community_discussion_fts_delete AFTER DELETE ON community_discussion BEGIN "
    "INSERT INTO community_discussion_fts(community_discussion_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    "CREATE TRIGGER community_discussion_fts_update AFTER UPDATE OF search_document "
    "ON community_discussion BEGIN "
    "INSERT INTO community_discussion_fts(community_discussion_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    "INSERT INTO community_discussion_fts(rowid, search_document) "
    "VALUES (new.id, new.search_document); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS community_discussion_fts_update",
    "DROP TRIGGER IF EXISTS community_discussion_fts_delete",
    "DROP TRIGGER IF EXISTS community_discussion_fts_insert",
    "DROP TABLE IF EXISTS community_discussion_fts",
]

# The index's expression is the one `SearchVector("search_document", config="simple")`
# compiles to, so the search's filter (community.search) uses it.
GIN = GinIndex(SearchVector("search_document", config="simple"), name="community_discussion_fts")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("community", "Discussion"), GIN)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("community", "Discussion"), GIN)


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
