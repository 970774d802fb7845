"""PostgreSQL: the directory searches a stored tsvector instead of computing one per row.

With the GIN index on the expression, a broad search ("ana") that PostgreSQL reads in name
order still parsed every profile's document again to test it; the generated column holds the
parsed vector, so that test is cheap. The column is the database's own (GENERATED ... STORED):
Django never writes it and the model does not declare it. SQLite keeps its FTS5 table.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE members_profile ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_document)) STORED",
    "CREATE INDEX members_profile_search_vector ON members_profile USING gin (search_vector)",
    "DROP INDEX IF EXISTS members_profile_search_gin",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX members_profile_search_gin ON members_profile "
    "USING gin (to_tsvector('simple', search_document))",
    "ALTER TABLE members_profile DROP COLUMN search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("members", "0003_user_inactive_index")]
    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
