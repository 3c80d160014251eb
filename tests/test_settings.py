"""The embedded database is SQLite in WAL mode with a busy timeout; DATABASE_URL switches it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from config.settings import BASE_DIR


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only settings")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20000
        assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def read_setting(expression: str, **env) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin", **env},
    )
    return result.stdout.strip() + result.stderr


def test_database_url_switches_to_postgresql():
    engine = read_setting(
        "settings.DATABASES['default']['ENGINE']", DATABASE_URL="postgres://tsunagu:secret@db.example:5432/tsunagu"
    )
    assert engine == "django.db.backends.postgresql"


def test_production_refuses_to_start_without_a_secret_key():
    output = read_setting("settings.DEBUG", DJANGO_ENV="production")
    assert "DJANGO_SECRET_KEY must be set" in output


def test_the_ui_is_japanese_on_tokyo_time(settings):
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"


def test_pages_are_japanese_whatever_the_browser_asks_for(client, db):
    from django.utils import timezone

    from accounts.models import User

    client.force_login(User.objects.get(username="coordinator"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日（{'月火水木金土日'[today.weekday()]}）" in page


@pytest.mark.django_db
def test_the_sqlite_database_file_is_readable_by_its_owner_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    # The test database is created by Django itself; the check runs on every new connection.
    path = Path(connection.settings_dict["NAME"])
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            assert file.stat().st_mode & 0o777 == 0o600, file


def test_the_configured_sqlite_file_is_created_owner_only_with_its_journal(tmp_path):
    database = tmp_path / "production.sqlite3"
    code = (
        "import django, os; django.setup(); from django.db import connection; "
        "print(oct(os.stat(os.environ['DB']).st_mode & 0o777)); "
        "connection.cursor().execute('CREATE TABLE t (x)'); "
        "print(*(oct(os.stat(os.environ['DB'] + end).st_mode & 0o777) for end in ('', '-wal', '-shm')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        # A umask that would leave the file readable by everyone.
        preexec_fn=lambda: os.umask(0o022),
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{database}",
            "DB": str(database),
        },
    )
    assert result.stdout.split() == ["0o600"] * 4, result.stderr


def test_e_mail_lands_in_var_mail_in_development_and_goes_by_smtp_in_production():
    backend = "settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH"
    assert read_setting(backend) == (f"django.core.mail.backends.filebased.EmailBackend {BASE_DIR / 'var' / 'mail'}")
    production = read_setting(
        "settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 50,
        TSUNAGU_FIELD_KEYS="dHN1bmFndS1kZXZlbG9wbWVudC1vbmx5LWZpZWxkLWs=",
        DJANGO_ALLOWED_HOSTS="tsunagu.example.lg.jp",
        DATABASE_URL="postgres://tsunagu:secret@db.example:5432/tsunagu",
        DJANGO_EMAIL_HOST="relay.example.lg.jp",
        DJANGO_EMAIL_PORT="587",
        DJANGO_EMAIL_USE_TLS="1",
    )
    assert production == "django.core.mail.backends.smtp.EmailBackend relay.example.lg.jp 587 True"
