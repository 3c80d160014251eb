"""A covering index for the centre page's counts of every office, on PostgreSQL only.

The centre page (reporting/centre_selectors.py) counts the period's logs of every office at once:
per office and client with the support kind, per office and day with the start time, and the
activity types through the logs' ids. With `(office_id, occurred_on)` as keys and the other
columns carried along, each of those reads the index alone, no table row (an index-only scan):
at 60 offices and 1,000,000 logs the selector went from 1.3 s to 0.5–0.7 s (docs/performance.md,
benchmarks.centre). SQLite has no non-key index columns; there the existing
coordination_log_report index serves, fast enough for a few offices.
"""

from django.db import migrations

INDEX = "coordination_log_centre"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON coordination_contactlog (office_id, occurred_on) "
        "INCLUDE (client_id, support_kind, started_at, id)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("coordination", "0012_needs")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
