"""The two-character word search's index (directory/fts.py): on PostgreSQL a GIN index on the texts'
bigrams (an immutable SQL function of search_text), on SQLite a contentless FTS5 table of them kept by
triggers (created with the trigram table's pieces, which are checked and restored after every migrate).
"""

from django.db import migrations

from directory.fts import POSTGRESQL_FUNCTION, POSTGRESQL_INDEX, ensure_search_index

BIGRAM_FUNCTION_NAME = "tsunagu_bigrams"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POSTGRESQL_INDEX} ON directory_provider "
            f"USING gin ({BIGRAM_FUNCTION_NAME}(search_text))"
        )
    else:
        ensure_search_index(connection)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {POSTGRESQL_INDEX}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {BIGRAM_FUNCTION_NAME}(text)")
    else:
        from directory.fts import BIGRAM_TABLE, BIGRAM_TRIGGERS

        with connection.cursor() as cursor:
            for name in BIGRAM_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {BIGRAM_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0016_provider_links")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
