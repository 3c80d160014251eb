"""A trigram index for the directory's word search, on PostgreSQL only.

The word search is `search_text LIKE '%…%'` (directory/selectors.py), which no B-tree index can
serve. On PostgreSQL a GIN index with pg_trgm's `gin_trgm_ops` answers it: the count of a word
search over 10,000 providers went from 13–25 ms to under 1 ms (docs/performance.md). SQLite has
no GIN; there the search stays a scan of the one folded column, fast enough for a ward's
directory. pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
"""
from django.db import migrations

INDEX = "directory_provider_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON directory_provider USING gin (search_text gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_provider_history")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
