"""SQLite's index for the directory's word search (FTS5, trigram tokenizer); nothing on PostgreSQL.

See directory/fts.py: an external-content FTS5 table over directory_provider.search_text, kept
by triggers. PostgreSQL has its trigram GIN index since 0005. The trigram tokenizer needs
SQLite 3.34 or later (Python's own SQLite is 3.40 on Debian 12).
"""

from django.db import migrations

from directory.fts import drop_search_index, ensure_search_index


def create(apps, schema_editor):
    ensure_search_index(schema_editor.connection)


def drop(apps, schema_editor):
    drop_search_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("directory", "0012_fill_provider_accepts")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
