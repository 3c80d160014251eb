"""Hardened settings: CSP, no-store for signed-in pages, security headers, error pages, check --deploy."""

import base64
import secrets
import subprocess
import sys

import pytest
from django.urls import path

from config.settings import BASE_DIR
from config.urls import urlpatterns as project_urlpatterns


def fail_on_purpose(request):
    raise RuntimeError("internal detail that must never reach the browser: /srv/tsunagu/secret.py")


# Used only by the tests that set ROOT_URLCONF to this module: the project's URLs plus a failing one.
urlpatterns = [path("fail-on-purpose/", fail_on_purpose), *project_urlpatterns]


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_unsafe_inline(client, coordinator):
    for response in (client.get("/login/"), (client.force_login(coordinator), client.get("/"))[1]):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "object-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy


@pytest.mark.django_db
def test_pages_for_a_signed_in_user_are_never_stored(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_downloads_and_error_pages_for_a_signed_in_user_are_never_stored_either(client, coordinator):
    client.force_login(coordinator)
    download = client.get("/logs/export/csv/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    assert "no-store" in client.get("/no-such-page/")["Cache-Control"]


@pytest.mark.django_db
def test_static_files_stay_cacheable():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from accounts.models import User
    from config.middleware import NoStoreForSignedInUsersMiddleware

    request = RequestFactory().get("/static/css/tsunagu.css")
    request.user = User.objects.get(username="coordinator")
    response = NoStoreForSignedInUsersMiddleware(lambda request: HttpResponse("body {}"))(request)
    assert "Cache-Control" not in response


@pytest.mark.django_db
def test_pages_forbid_framing_sniffing_and_leaking_the_address(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_an_unknown_address_shows_the_japanese_not_found_page(client, coordinator, settings):
    assert settings.DEBUG is False
    client.force_login(coordinator)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@pytest.mark.django_db
def test_a_server_error_shows_a_generic_japanese_page_without_internals(client, coordinator, settings):
    settings.ROOT_URLCONF = __name__
    assert settings.DEBUG is False
    client.raise_request_exception = False
    client.force_login(coordinator)
    response = client.get("/fail-on-purpose/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "エラーが発生しました" in page
    assert "Traceback" not in page and "RuntimeError" not in page and "secret.py" not in page
    assert "no-store" in response["Cache-Control"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_form_sent_without_a_valid_csrf_token_is_refused_in_japanese(coordinator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post("/logout/")
    assert response.status_code == 403
    assert "送信できませんでした" in response.content.decode()


def production_env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": "/usr/bin:/bin",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "tsunagu.example.lg.jp",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "TSUNAGU_FIELD_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def test_the_production_settings_pass_djangos_deployment_checks_without_a_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        env=production_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_debug_off_and_cookies_and_transport_secure(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.DATABASES['default']['ENGINE'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        env=production_env(tmp_path),
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True", "django.db.backends.sqlite3"], (
        result.stderr
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "TSUNAGU_FIELD_KEYS"])
def test_production_refuses_to_start_without_each_required_variable(tmp_path, missing):
    env = production_env(tmp_path)
    del env[missing]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.parametrize("keys", ["short", "c2hvcnQ=", "dHN1bmFndS1kZXZlbG9wbWVudC1vbmx5LWZpZWxkLWs=,x"])
def test_production_refuses_to_start_with_a_malformed_field_key(tmp_path, keys):
    env = {**production_env(tmp_path), "TSUNAGU_FIELD_KEYS": keys}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, capture_output=True, text=True, env=env
    )
    assert result.returncode != 0
    assert "TSUNAGU_FIELD_KEYS: each key must be 32 random bytes in base64" in result.stderr
