"""Fills Provider.accepts (one bit per accepted procedure) from the acceptance matrix.

Then refreshes the table's planner statistics: on SQLite, 0011 rebuilt the table (a new NOT NULL
column) and with it lost its sqlite_stat1 rows, and without them the planner may count and sort
a large directory through the new index instead of reading the フリガナ order off its own.
"""

from collections import defaultdict

from django.db import migrations

ACCEPTING = ("accepted", "conditional")
ACCEPTS_BITS = 63  # as directory.models.ACCEPTS_BITS


def fill(apps, schema_editor):
    Provider = apps.get_model("directory", "Provider")
    ProviderProcedure = apps.get_model("directory", "ProviderProcedure")
    masks = defaultdict(int)
    cells = ProviderProcedure.objects.filter(status__in=ACCEPTING).values_list("provider_id", "procedure_id")
    for provider_id, procedure_id in cells.iterator(chunk_size=10_000):
        if 0 <= procedure_id < ACCEPTS_BITS:
            masks[provider_id] |= 1 << procedure_id
    by_mask = defaultdict(list)
    for provider_id, mask in masks.items():
        by_mask[mask].append(provider_id)
    for mask, ids in by_mask.items():
        for start in range(0, len(ids), 500):
            Provider.objects.filter(pk__in=ids[start : start + 500]).update(accepts=mask)
    schema_editor.execute(f"ANALYZE {schema_editor.quote_name(Provider._meta.db_table)}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0011_provider_accepts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)]
