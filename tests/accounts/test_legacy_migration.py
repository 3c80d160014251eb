"""A database made before the accounts app migrates to today's schema and loses nothing.

The database is made and filled by the code of the last commit before offices and users moved to
accounts (taken from git), with MFA apps, clients, logs, providers and a finalized report; then
today's `migrate` runs on it. Every row of every table must be as it was, but for what the move
itself changes: the moved models' content types (same ids, new app), the migrations recorded,
and the providers' internal-note permission that directory 0007 adds and grants to two roles.
Runs on the database the suite runs on (SQLite, or a second database on the PostgreSQL server).
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from common.encryption import decrypt_text, encrypted_fields

ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = {"accounts", "audit", "coordination", "directory", "reporting"}
# The last commit with AUTH_USER_MODEL = "coordination.User".
PRE_ACCOUNTS_COMMIT = "8a9ae5c6e3dd2129010c41c255f56ff2f6dd41b8"
ENCRYPTED_COLUMNS = [
    (model._meta.db_table, model._meta.get_field(name).column)
    for model, names in encrypted_fields(apps.get_models())
    for name in names
]
MOVED_CONTENT_TYPES = {
    ("coordination", "user"): ("accounts", "user"),
    ("coordination", "office"): ("accounts", "office"),
    ("coordination", "officehours"): ("accounts", "officehours"),
    ("coordination", "officecalendarday"): ("accounts", "officecalendarday"),
    ("coordination", "officedistrict"): ("directory", "officedistrict"),
}
# The move itself; every migration written since is applied too (checked against the code's own list).
MOVE_MIGRATIONS = {
    ("accounts", "0001_initial"),
    ("audit", "0003_accounts_user"),
    ("coordination", "0006_move_offices_and_users_to_accounts"),
    ("directory", "0006_officedistrict_and_accounts_user"),
    ("directory", "0007_provider_internal_note_permission"),
    ("reporting", "0004_accounts"),
}

# Columns a later migration moved to a table of their own: a log's follow-up became a FollowUp
# (coordination 0010), checked below against the logs' values before.
FOLLOW_UP_COLUMNS = ("follow_up_action", "follow_up_due_on", "follow_up_done_on")
MOVED_COLUMNS = {"coordination_contactlog": FOLLOW_UP_COLUMNS, "coordination_historicalcontactlog": FOLLOW_UP_COLUMNS}

# Run by the old code: every demo user gets a confirmed authenticator app, a supervisor finalizes Q1.
FILL_WITH_OLD_CODE = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from coordination.fiscal import FiscalPeriod
from coordination.models import Office, User
from reporting.services import report_finalize
for user in User.objects.all():
    TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
office = Office.objects.get(users__username="supervisor")
supervisor = User.objects.get(username="supervisor")
report_finalize(office=office, period=FiscalPeriod(2025, 1, 1), user=supervisor)
"""

# Run by today's code on the migrated database: what a user of the office would notice.
CHECK_WITH_NEW_CODE = """
import json
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import Office, User
from demo.builders import DEMO_PASSWORD
from coordination.models import Client, ContactLog
from directory.selectors import office_districts
from reporting.models import ReportVersion
sign_in = RequestFactory().post("/login/", REMOTE_ADDR="127.0.0.1")
supervisor = authenticate(sign_in, username="supervisor", password=DEMO_PASSWORD)
coordinator = User.objects.get(username="coordinator")
office = supervisor.office
version = ReportVersion.objects.get()
print(json.dumps({
    "signed_in": supervisor is not None and supervisor._meta.label == "accounts.User",
    "roles": sorted((u.username, str(u.role)) for u in User.objects.all()),
    "apps": TOTPDevice.objects.filter(confirmed=True, user__in=User.objects.all()).count(),
    "users": User.objects.count(),
    "office": office.name,
    "districts": [d.name for d in office_districts(office)],
    "clients": Client.objects.filter(office=office).count(),
    "logs": ContactLog.objects.filter(office=office, coordinator__office=office).count(),
    "report": [version.report.office_id == office.pk, bytes(version.pdf[:4]).decode()],
    "perms": [coordinator.has_perm("coordination.add_contactlog"), coordinator.has_perm("accounts.view_office"),
              coordinator.has_perm("directory.view_internal_note"), supervisor.has_perm("reporting.finalize_quarterlyreport")],
}, ensure_ascii=False))
"""


def _value(value):
    """A cell as a comparable value: files by their hash, dates and times as text."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)


class LegacyDatabase:
    """An empty database beside the test database, on the same engine, and a way to read it."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "legacy.sqlite3"
            self.env = {"DATABASE_URL": "", "TSUNAGU_SQLITE_PATH": str(self.path)}
        else:
            settings = connection.settings_dict
            self.server = {
                "host": settings["HOST"],
                "port": settings["PORT"] or 5432,
                "user": settings["USER"],
                "password": settings["PASSWORD"] or None,
            }
            self.name = f"legacy_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            password = f":{self.server['password']}" if self.server["password"] else ""
            url = f"postgres://{self.server['user']}{password}@{self.server['host']}:{self.server['port']}/{self.name}"
            self.env = {"DATABASE_URL": url}

    def drop(self):
        if self.vendor != "sqlite":
            with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def tables(self) -> dict[str, list[tuple]]:
        """Every table's rows as ((column, value), …) in column order, the rows in a stable order."""
        if self.vendor == "sqlite":
            database = sqlite3.connect(self.path)
            query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            database = psycopg.connect(dbname=self.name, **self.server)
            query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        tables = {}
        with database:
            for (name,) in database.execute(query).fetchall():
                cursor = database.execute(f'SELECT * FROM "{name}"')
                columns = [column[0] for column in cursor.description]
                rows = [tuple(zip(columns, map(_value, row))) for row in cursor.fetchall()]
                tables[name] = sorted(rows, key=repr)
        if self.vendor == "sqlite":
            database.close()
        return tables


def _manage(code_dir: Path, database: LegacyDatabase, *args: str) -> str:
    env = {**os.environ, **database.env, "DJANGO_SETTINGS_MODULE": "config.settings", "TSUNAGU_DEMO": "1"}
    env.pop("TSUNAGU_TEST_SQLITE_PATH", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=code_dir, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} ({code_dir.name}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def old_code(tmp_path) -> Path:
    """The project as it was at PRE_ACCOUNTS_COMMIT, from this clone's git history."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", PRE_ACCOUNTS_COMMIT],
        capture_output=True,
        timeout=120,
    )
    assert archive.returncode == 0, archive.stderr.decode(errors="replace")
    target = tmp_path / "pre-accounts"
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


@pytest.fixture
def legacy_database(tmp_path):
    database = LegacyDatabase(tmp_path)
    yield database
    database.drop()


def _column(rows: list[tuple], *names: str) -> set:
    """The given columns of every row, as a set of tuples."""
    return {tuple(dict(row)[name] for name in names) for row in rows}


def _projected(rows: list[tuple], like: list[tuple]) -> list[tuple]:
    """Rows cut down to the columns of `like`'s rows (a table's columns before a migration), re-sorted."""
    if not like:
        return sorted(rows, key=repr)
    columns = [column for column, _ in like[0]]
    return sorted((tuple((column, dict(row)[column]) for column in columns) for row in rows), key=repr)


def _content_types(rows: list[tuple]) -> dict[int, tuple[str, str]]:
    return {row_id: (app, model) for row_id, app, model in _column(rows, "id", "app_label", "model")}


@pytest.mark.django_db
def test_a_database_made_before_the_accounts_app_migrates_without_losing_anything(old_code, legacy_database):
    for command in (["migrate", "--noinput"], ["load_reference"], ["load_demo"], ["shell", "-c", FILL_WITH_OLD_CODE]):
        _manage(old_code, legacy_database, *command)
    before = legacy_database.tables()
    assert len(before["coordination_user"]) >= 4
    assert len(before["otp_totp_totpdevice"]) == len(before["coordination_user"])
    assert len(before["reporting_reportversion"]) == 1
    assert len(before["coordination_client"]) > 0 and len(before["coordination_contactlog"]) > 0
    assert len(before["directory_provider"]) > 0

    output = _manage(ROOT, legacy_database, "migrate", "--noinput")
    assert "accounts 0001 を適用済みとして記録" in output
    after = legacy_database.tables()

    # Content types keep their ids; only the moved models' app changes.
    types_before, types_after = (
        _content_types(before["django_content_type"]),
        _content_types(after["django_content_type"]),
    )
    assert types_before.keys() <= types_after.keys(), {
        k: types_before[k] for k in types_before.keys() - types_after.keys()
    }
    renamed = {types_before[key]: types_after[key] for key in types_before if types_before[key] != types_after[key]}
    assert renamed == MOVED_CONTENT_TYPES
    # Models added since get new content types: coordination's (referrals, consents, follow-ups…), the
    # change-history tables (a user's, the office settings'), and the few added to other apps since —
    # no model of the move among them.
    added_types = {key: types_after[key] for key in types_after.keys() - types_before.keys()}
    added_elsewhere = {
        (app, model)
        for app, model in added_types.values()
        if app != "coordination" and not model.startswith("historical")
    }
    assert added_elsewhere <= {
        ("reporting", "reportfile"),
        ("directory", "providerschedule"),
        ("directory", "providerlink"),
        ("directory", "providerproposal"),
        ("django_tasks_database", "dbtaskresult"),
    }, added_elsewhere
    assert not set(added_types.values()) & set(MOVED_CONTENT_TYPES.values())

    # The migrations recorded: the old ones still, and the move's.
    names_before = _column(before["django_migrations"], "app", "name")
    names_after = _column(after["django_migrations"], "app", "name")
    ours = {key for key in MigrationLoader(None, ignore_no_migrations=True).disk_migrations if key[0] in OUR_APPS}
    assert names_before <= names_after and MOVE_MIGRATIONS <= names_after - names_before
    assert {key for key in names_after if key[0] in OUR_APPS} == ours

    # Three new permissions on the models the old code had: the providers' internal note, granted to
    # coordinators and supervisors, the office settings, granted to supervisors, and the centre page
    # (on the 業務報告書), granted to the new センター職員 group; the rest are the new models' own.
    assert set(before["auth_permission"]) <= set(after["auth_permission"])
    new_permissions = set(after["auth_permission"]) - set(before["auth_permission"])
    on_old_models = {row for row in new_permissions if dict(row)["content_type_id"] in types_before}
    assert _column(on_old_models, "codename") == {
        ("view_internal_note",),
        ("change_office_settings",),
        ("view_centre",),
    }
    assert set(before["auth_group_permissions"]) <= set(after["auth_group_permissions"])
    new_ids = _column(on_old_models, "id")
    granted = set(after["auth_group_permissions"]) - set(before["auth_group_permissions"])
    assert len([row for row in granted if (dict(row)["permission_id"],) in new_ids]) == 4

    # Every other table, row for row and value for value.
    # Every other table, row for row and value for value, in the columns it had (later migrations
    # may add columns, such as an edit's version, never take any away).
    # auth_group gains the センター職員 group (reporting 0005); the old groups stay as they were.
    assert set(before["auth_group"]) <= set(after["auth_group"])
    assert {dict(row)["name"] for row in set(after["auth_group"]) - set(before["auth_group"])} == {"センター職員"}
    changed = {"django_content_type", "django_migrations", "auth_permission", "auth_group_permissions", "auth_group"}
    assert before.keys() <= after.keys()
    # The confidential notes are now stored encrypted (coordination 0008, directory 0009): the same
    # texts once decrypted, and none of them left in the clear.
    assert _column(before["coordination_client"], "notes") - {("",)}
    assert _column(before["directory_provider"], "internal_note") - {("",)}
    for table, column in ENCRYPTED_COLUMNS:
        if table not in before:
            continue  # a model added since the old code: nothing of it to migrate
        texts = {dict(row)[column] for row in before[table]} - {""}
        assert not texts & {dict(row)[column] for row in after[table]}, table
        after[table] = [
            tuple((name, decrypt_text(v) if name == column else v) for name, v in row) for row in after[table]
        ]
        after[table].sort(key=repr)
    logs_before = before["coordination_contactlog"]
    asked = {
        (row["id"], row["coordinator_id"], row["follow_up_action"], row["follow_up_due_on"], row["follow_up_done_on"])
        for row in map(dict, logs_before)
        if row["follow_up_action"]
    }
    assert asked
    for table, columns in MOVED_COLUMNS.items():
        before[table] = sorted(
            (tuple((name, value) for name, value in row if name not in columns) for row in before[table]), key=repr
        )
    assert {name: _projected(after[name], before[name]) for name in before if name not in changed} == {
        name: rows for name, rows in before.items() if name not in changed
    }
    # Each log that asked for a follow-up has one, assigned to and made by its coordinator.
    moved = {
        (row["contact_log_id"], row["assignee_id"], row["action"], row["due_on"], row["done_on"])
        for row in map(dict, after["coordination_followup"])
        if row["created_by_id"] == row["assignee_id"]
    }
    assert moved == asked

    facts = json.loads(_manage(ROOT, legacy_database, "shell", "-c", CHECK_WITH_NEW_CODE).strip().splitlines()[-1])
    assert facts["signed_in"] is True
    assert dict(facts["roles"])["supervisor"] == "supervisor"
    assert dict(facts["roles"])["coordinator"] == "coordinator"
    assert facts["apps"] == facts["users"] == len(before["coordination_user"])
    assert facts["districts"] == ["王子地区", "赤羽地区", "滝野川地区"]
    assert facts["clients"] > 0 and facts["logs"] > 0
    assert facts["report"] == [True, "%PDF"]
    assert facts["perms"] == [True, True, True, True]
