"""Controls of docs/security.md that no other test proves: password storage, password range, cookies."""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse
from django.utils.module_loading import import_string

pytestmark = pytest.mark.django_db


def _project_hashers() -> list[str]:
    # The test run swaps in a fast hasher (tests/conftest.py); the project's settings name the real ones.
    from config import settings as project_settings

    return project_settings.PASSWORD_HASHERS


def test_passwords_are_stored_salted_with_argon2id_at_owasps_parameters():
    hasher = import_string(_project_hashers()[0])()
    encoded = hasher.encode("ながい あいことば 2025 ですよ", hasher.salt())
    algorithm, variety, version, parameters, salt, digest = encoded.split("$")
    assert (algorithm, variety, version) == ("argon2", "argon2id", "v=19")
    # OWASP's Password Storage Cheat Sheet: at least 19 MiB of memory, 2 passes, 1 lane.
    assert dict(p.split("=") for p in parameters.split(",")) == {"m": "19456", "t": "2", "p": "1"}
    assert len(salt) >= 16 and len(digest) >= 32
    assert hasher.verify("ながい あいことば 2025 ですよ", encoded)
    assert not hasher.verify("ながい あいことば 2025 ですね", encoded)


def test_a_password_stored_with_pbkdf2_signs_in_and_is_rehashed_with_argon2id(client, settings, coordinator):
    settings.PASSWORD_HASHERS = _project_hashers()
    password = "まえの ほうしきの あいことば 1"
    coordinator.password = make_password(password, hasher="pbkdf2_sha256")
    coordinator.save(update_fields=["password"])

    client.post(reverse("login"), {"username": "coordinator", "password": password})

    coordinator.refresh_from_db()
    assert coordinator.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password(password, coordinator.password)


def test_long_passwords_with_spaces_japanese_and_emoji_are_accepted(coordinator):
    validate_password("つなぐ の あいことば は ながく 🌸" * 3, coordinator)
    validate_password("x" * 64 + " 北区 😀", coordinator)


def test_the_session_cookie_is_httponly_and_same_site(client, coordinator, demo_password):
    response = client.post(reverse("login"), {"username": "coordinator", "password": demo_password})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_requires_two_factor_sign_in_and_has_no_demo_accounts(tmp_path):
    import subprocess
    import sys

    from config.settings import BASE_DIR
    from tests.test_hardening import production_env

    code = "import django; django.setup(); from django.conf import settings as s; print(s.TSUNAGU_REQUIRE_MFA, s.TSUNAGU_DEMO)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, env=production_env(tmp_path)
    )
    assert result.stdout.split() == ["True", "False"], result.stderr


def test_provider_exports_and_the_hsds_package_are_recorded_and_the_upload_page_is_not(
    client, coordinator, settings, tmp_path
):
    from audit.models import AccessEvent, Action

    settings.TSUNAGU_IMPORT_DIR = tmp_path / "imports"
    client.force_login(coordinator)
    response = client.get(reverse("directory:provider_export", args=["csv"]))
    assert response.status_code == 200
    assert AccessEvent.objects.order_by("-id").first().action == Action.EXPORT
    response = client.get(reverse("directory:provider_hsds_export"))
    assert response.status_code == 200
    assert (AccessEvent.objects.order_by("-id").first().url_name) == "directory:provider_hsds_export"
    # Opening the upload page imports nothing and is not recorded (an upload is: tests/audit).
    before = AccessEvent.objects.count()
    assert client.get(reverse("imports:start")).status_code == 200
    assert AccessEvent.objects.count() == before


def test_production_names_the_cookies_with_the_host_prefix_secure_on_the_whole_site(tmp_path):
    import subprocess
    import sys

    from config.settings import BASE_DIR
    from tests.test_hardening import production_env

    # A real answer of the production settings: the sign-in page sets the CSRF cookie. (Static
    # files by their plain names: the test has run no collectstatic.)
    code = (
        "import django; django.setup(); from django.test import Client, override_settings; "
        "storage = {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}; "
        "override_settings(STORAGES={'default': storage, 'staticfiles': storage}).enable(); "
        "response = Client().get('/login/', secure=True, HTTP_HOST='tsunagu.example.lg.jp'); "
        "print(response.status_code); print(response.cookies.output(header='')); "
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_PATH, s.SESSION_COOKIE_DOMAIN)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, env=production_env(tmp_path)
    )
    status, csrf_cookie, session = result.stdout.strip().splitlines()
    assert status == "200", result.stderr
    assert csrf_cookie.strip().startswith("__Host-csrftoken=")
    attributes = [part.strip().lower() for part in csrf_cookie.split(";")[1:]]
    assert "secure" in attributes and "path=/" in attributes
    assert not [part for part in attributes if part.startswith("domain")]
    assert session.split() == ["__Host-sessionid", "True", "/", "None"]
