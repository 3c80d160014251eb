"""Database triggers that refuse UPDATE and DELETE on the access log, even from raw SQL.

The one UPDATE let through is setting `user_id` to NULL with every other column unchanged: the
database's part of on_delete=SET_NULL when a user account is deleted (the username and role
snapshots keep who it was). SQLite and PostgreSQL only; other databases get no trigger.
"""
from django.db import migrations

TABLE = "audit_accessevent"
# Every column but user_id; an UPDATE must leave all of them as they were.
KEPT = [
    "id", "occurred_at", "username", "role", "action", "outcome", "path", "url_name",
    "object_ids", "method", "status_code", "ip_address", "user_agent",
]
MESSAGE = "audit_accessevent is append-only"


def _unchanged(equal: str) -> str:
    return " AND ".join(f'NEW."{column}" {equal} OLD."{column}"' for column in KEPT)


SQLITE_CREATE = [
    f"""
    CREATE TRIGGER audit_accessevent_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW WHEN NOT (NEW.user_id IS NULL AND {_unchanged("IS")})
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

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION audit_accessevent_refuse() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL AND {_unchanged("IS NOT DISTINCT FROM")} THEN
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


def create_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
