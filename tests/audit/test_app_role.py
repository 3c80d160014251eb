"""The app role of docs/deploy.md reads and appends to the access log and can do nothing else to it.

PostgreSQL only: SQLite has no roles. Creates the role in the test server with exactly the grants of
audit/sql/app_role.sql (the file the deploy guide runs), connects as it with psycopg and tries what
an attacker holding the app's credentials would. The role is dropped afterwards, and a leftover of
an interrupted run is dropped first.
"""

import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from audit.chain import GENESIS, row_hash

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has no roles or privileges to test"
)

APP_ROLE = "tsunagu_app_test"
GRANTS = Path(settings.BASE_DIR) / "audit" / "sql" / "app_role.sql"


def grant_statements(app: str, owner: str) -> list[str]:
    """The file's statements with psql's :"app" and :"owner" filled in, as `psql -v` would."""
    text = "\n".join(line for line in GRANTS.read_text(encoding="utf-8").splitlines() if not line.startswith("--"))
    text = text.replace(':"app"', quoted(app)).replace(':"owner"', quoted(owner))
    assert not re.search(r':"?\w', text), "a psql variable left unfilled"
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def drop_app_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if cursor.fetchone():
            # Its privileges in this database (default privileges too), then the role itself.
            cursor.execute(f"DROP OWNED BY {quoted(APP_ROLE)}")
            cursor.execute(f"DROP ROLE {quoted(APP_ROLE)}")


@pytest.fixture
def app_connection(committed_db):
    """A psycopg connection as the app role, granted what the deploy guide grants."""
    import psycopg

    drop_app_role()
    password = secrets.token_hex(16)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quoted(APP_ROLE)} LOGIN PASSWORD '{password}'")
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        for statement in grant_statements(APP_ROLE, owner):
            cursor.execute(statement)
    params = connection.settings_dict
    try:
        with psycopg.connect(
            host=params["HOST"] or None,
            port=params["PORT"] or None,
            dbname=params["NAME"],
            user=APP_ROLE,
            password=password,
        ) as app:
            yield app
    finally:
        drop_app_role()


def append(app, *, path: str) -> int:
    """A row appended as the app appends it: the chain's head under the append lock, then the insert."""
    (head,) = app.execute("SELECT audit_accessevent_chain_head()").fetchone()
    values = {
        "occurred_at": datetime.now(UTC),
        "username": "coordinator",
        "role": "",
        "action": "view",
        "outcome": "success",
        "path": path,
        "url_name": "client_detail",
        "object_ids": {"pk": 1},
        "method": "GET",
        "status_code": 200,
        "ip_address": None,
        "user_agent": "",
    }
    previous = head or GENESIS
    (event_id,) = app.execute(
        "INSERT INTO audit_accessevent (occurred_at, username, role, action, outcome, path, url_name, object_ids,"
        " method, status_code, ip_address, user_agent, previous_hash, row_hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, '{\"pk\": 1}', %s, %s, NULL, %s, %s, %s) RETURNING id",
        [
            values["occurred_at"],
            *(values[name] for name in ("username", "role", "action", "outcome", "path", "url_name", "method")),
            values["status_code"],
            values["user_agent"],
            previous,
            row_hash(previous, values),
        ],
    ).fetchone()
    return event_id


@postgresql_only
def test_the_app_role_reads_and_appends_but_cannot_change_delete_or_untrigger_the_access_log(app_connection):
    import psycopg

    app = app_connection
    # Everything the app does here is rolled back at the end: the log keeps nothing of it.
    with app.transaction(force_rollback=True):
        event_id = append(app, path="/clients/1/")
        assert app.execute("SELECT path FROM audit_accessevent WHERE id = %s", [event_id]).fetchone() == (
            "/clients/1/",
        )
        for statement in (
            "UPDATE audit_accessevent SET path = '/changed/' WHERE id = %(id)s",
            "UPDATE audit_accessevent SET row_hash = previous_hash WHERE id = %(id)s",
            "DELETE FROM audit_accessevent WHERE id = %(id)s",
            "TRUNCATE audit_accessevent",
            "ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_append_only",
            "ALTER TABLE audit_accessevent DISABLE TRIGGER USER",
            "DROP TRIGGER audit_accessevent_append_only ON audit_accessevent",
            "DROP TRIGGER audit_accessevent_no_truncate ON audit_accessevent",
            "DROP FUNCTION audit_accessevent_refuse()",
            "ALTER TABLE audit_accessevent OWNER TO " + quoted(APP_ROLE),
            "INSERT INTO django_migrations (app, name, applied) VALUES ('audit', '9999_x', now())",
            "CREATE TABLE audit_copy (id int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), app.transaction():
                app.execute(statement, {"id": event_id})
        # The one column the app may update, as Django does when a user account is deleted: to NULL
        # only, every other column unchanged (the append-only trigger refuses anything else).
        app.execute("UPDATE audit_accessevent SET user_id = NULL WHERE id = %s", [event_id])
        with pytest.raises(psycopg.errors.InsufficientPrivilege), app.transaction():
            app.execute("UPDATE audit_accessevent SET user_id = 1 WHERE id = %s", [event_id])
        # The rest of the app's tables stay writable.
        app.execute("DELETE FROM django_session WHERE expire_date < now() - interval '100 years'")
        assert app.execute("SELECT count(*) FROM coordination_office").fetchone()[0] >= 0


def test_the_deploy_guide_shows_the_grants_it_runs():
    guide = (Path(settings.BASE_DIR) / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "audit/sql/app_role.sql" in guide
    text = "\n".join(line for line in GRANTS.read_text(encoding="utf-8").splitlines() if not line.startswith("--"))
    for statement in filter(None, (part.strip() for part in text.split(";"))):
        assert " ".join(statement.split()) in " ".join(guide.split()), statement
