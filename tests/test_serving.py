"""Serving: the /healthz probe, request ids on responses and log lines, SQLite named by DATABASE_URL."""

import io
import logging
import re
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from audit.models import AccessEvent
from config.log import IsoFormatter, RequestIdFilter
from config.settings import BASE_DIR

NEW_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
ISO_TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


@pytest.fixture
def log_lines():
    """What the project's console handler (filter and format from settings.LOGGING) would print."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(IsoFormatter(settings.LOGGING["formatters"]["plain"]["format"]))
    root = logging.getLogger()
    root.addHandler(handler)
    quiet = logging.getLogger("django")
    # The project's "django" logger does not propagate; hear it here too.
    quiet.addHandler(handler)
    yield lambda: buffer.getvalue().splitlines()
    root.removeHandler(handler)
    quiet.removeHandler(handler)


@pytest.mark.django_db
def test_the_health_check_says_ok_in_plain_text_to_anyone_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_health_check_answers_503_without_details_when_the_database_fails(client, log_lines):
    failure = OperationalError("unable to open database file /srv/tsunagu/secret-path.sqlite3")
    with mock.patch.object(connection, "cursor", side_effect=failure):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="probe-503")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
    assert "no-store" in response["Cache-Control"]
    # The cause goes to the log, tagged with the request id, for the administrator.
    failed = [line for line in log_lines() if "Health check" in line]
    assert failed and "[probe-503]" in failed[0]
    assert "secret-path" in "\n".join(log_lines())


@pytest.mark.django_db
def test_the_health_check_is_not_recorded_in_the_access_log(client, coordinator):
    client.force_login(coordinator)
    before = AccessEvent.objects.count()
    assert client.get("/healthz").status_code == 200
    assert AccessEvent.objects.count() == before


@pytest.mark.django_db
def test_the_health_check_refuses_a_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_every_response_carries_a_new_request_id(client):
    first = client.get("/login/")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert NEW_REQUEST_ID.fullmatch(first) and NEW_REQUEST_ID.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_a_request_id_from_nginx_is_kept(client):
    nginx_id = "0f8e7d6c5b4a39281716151413121110"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=nginx_id)["X-Request-ID"] == nginx_id
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-2026-11-21-a")["X-Request-ID"] == "lb-2026-11-21-a"


@pytest.mark.django_db
@pytest.mark.parametrize("unsafe", ["abc\nINFO forged line", "a b", "<script>", "x" * 65, "id_with_underscore"])
def test_an_unsafe_request_id_is_replaced_by_a_new_one(client, unsafe):
    request_id = client.get("/healthz", HTTP_X_REQUEST_ID=unsafe)["X-Request-ID"]
    assert NEW_REQUEST_ID.fullmatch(request_id)


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_id_after_an_iso_timestamp(client, log_lines):
    request_id = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-42")["X-Request-ID"]
    assert request_id == "req-42"
    # Django logs a 404 after the middleware has returned; the id still reaches the line.
    not_found = [line for line in log_lines() if "Not Found: /no-such-page/" in line]
    assert len(not_found) == 1
    assert re.match(ISO_TIMESTAMP + r" WARNING django\.request \[req-42\] Not Found", not_found[0])


def test_log_lines_outside_a_request_show_a_dash(log_lines):
    logging.getLogger("tsunagu.test").warning("no request here")
    assert re.fullmatch(ISO_TIMESTAMP + r" WARNING tsunagu\.test \[-\] no request here", log_lines()[-1])


def test_a_sqlite_file_named_by_database_url_keeps_wal_and_immediate_transactions(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); "
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0], "
        "cursor.execute('PRAGMA busy_timeout').fetchone()[0], "
        "connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'named.sqlite3'}",
        },
    )
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"], result.stderr
