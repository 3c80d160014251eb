"""The hash chain (audit/chain.py): two columns, filled for existing rows in id order, and the append lock.

The append-only triggers of 0002 refuse the UPDATE that fills the chain, so they are dropped first
and made again at the end, now also keeping the two new columns unchanged. On PostgreSQL all of it
runs in the migration's one transaction. On SQLite, adding a NOT NULL column rebuilds the table,
which drops its triggers anyway: they are made again here (a later migration that rebuilds this
table on SQLite must do the same; tests/audit/test_append_only.py would notice).

`audit_accessevent_chain_head()` (PostgreSQL) takes the append lock and returns the last row's hash.
"""

import django.utils.timezone
from django.db import migrations, models

from audit.chain import CHAINED_FIELDS, GENESIS, row_hash

TABLE = "audit_accessevent"
MESSAGE = "audit_accessevent is append-only"
# Any constant will do, as long as every appender uses the same one ("tsunaguA").
LOCK_KEY = 0x7473756E61677541
# Every column but user_id; an UPDATE must leave all of them as they were.
KEPT = [
    "id", "occurred_at", "username", "role", "action", "outcome", "path", "url_name",
    "object_ids", "method", "status_code", "ip_address", "user_agent", "previous_hash", "row_hash",
]
KEPT_BEFORE = KEPT[:-2]


def _unchanged(columns, equal: str) -> str:
    return " AND ".join(f'NEW."{column}" {equal} OLD."{column}"' for column in columns)


def _sqlite_create(columns):
    return [
        f"""
        CREATE TRIGGER audit_accessevent_no_update BEFORE UPDATE ON {TABLE}
        FOR EACH ROW WHEN NOT (NEW.user_id IS NULL AND {_unchanged(columns, "IS")})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """,
        f"""
        CREATE TRIGGER audit_accessevent_no_delete BEFORE DELETE ON {TABLE}
        FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """,
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_accessevent_no_update",
    "DROP TRIGGER IF EXISTS audit_accessevent_no_delete",
]


def _postgresql_create(columns):
    return [
        f"""
        CREATE OR REPLACE FUNCTION audit_accessevent_refuse() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL AND {_unchanged(columns, "IS NOT DISTINCT FROM")} THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE TRIGGER audit_accessevent_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_accessevent_refuse()
        """,
        # TRUNCATE skips row triggers; refuse it with a statement trigger.
        f"""
        CREATE TRIGGER audit_accessevent_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_accessevent_refuse()
        """,
    ]


POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_accessevent_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_accessevent_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_accessevent_refuse()",
]

# VOLATILE, so the SELECT takes a new snapshot after the lock is granted (READ COMMITTED) and sees
# the row the previous holder committed. The lock is held until the calling transaction ends.
CHAIN_HEAD_CREATE = f"""
    CREATE OR REPLACE FUNCTION audit_accessevent_chain_head() RETURNS varchar AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({LOCK_KEY});
        RETURN (SELECT row_hash FROM {TABLE} ORDER BY id DESC LIMIT 1);
    END;
    $$ LANGUAGE plpgsql VOLATILE
"""
CHAIN_HEAD_DROP = "DROP FUNCTION IF EXISTS audit_accessevent_chain_head()"


def _run(schema_editor, by_vendor):
    for statement in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


def create_old_triggers(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    _run(
        schema_editor,
        {"sqlite": _sqlite_create(KEPT_BEFORE), "postgresql": _postgresql_create(KEPT_BEFORE) + [CHAIN_HEAD_DROP]},
    )


def create_triggers(apps, schema_editor):
    drop_triggers(apps, schema_editor)
    _run(schema_editor, {"sqlite": _sqlite_create(KEPT), "postgresql": _postgresql_create(KEPT) + [CHAIN_HEAD_CREATE]})


def fill_chain(apps, schema_editor):
    """Chains the existing rows in id order, a thousand at a time."""
    AccessEvent = apps.get_model("audit", "AccessEvent")
    rows = AccessEvent.objects.using(schema_editor.connection.alias).order_by("id")
    previous, last_id = GENESIS, 0
    while True:
        chunk = list(rows.filter(id__gt=last_id)[:1000])
        if not chunk:
            break
        for event in chunk:
            event.previous_hash = previous
            event.row_hash = previous = row_hash(previous, {name: getattr(event, name) for name in CHAINED_FIELDS})
        AccessEvent.objects.using(schema_editor.connection.alias).bulk_update(chunk, ["previous_hash", "row_hash"])
        last_id = chunk[-1].id


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_accounts_user")]

    operations = [
        migrations.RunPython(drop_triggers, create_old_triggers),
        migrations.AddField(
            model_name="accessevent",
            name="previous_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="前の行のハッシュ"),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="row_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="ハッシュ"),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="occurred_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="日時"
            ),
        ),
        migrations.RunPython(fill_chain, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
