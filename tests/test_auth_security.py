"""Sign-in security: lockout, TOTP two-factor sign-in, password rules and session limits."""

import time
from base64 import b32encode
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security import LAST_ACTIVITY, SIGNED_IN_AT
from accounts.views import PENDING_SECRET

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


# --- lockout ------------------------------------------------------------------------------------


def fail_five_times(client):
    for _ in range(4):
        assert sign_in(client, "coordinator", "not-the-password").status_code == 200
    return sign_in(client, "coordinator", "not-the-password")


def test_the_fifth_wrong_password_locks_the_user_out_with_a_japanese_page(client, coordinator):
    response = fail_five_times(client)
    assert response.status_code == 429
    assert "パスワードの誤りが5回続いたため" in response.content.decode()
    assert "30分間停止" in response.content.decode()


def test_a_locked_out_user_cannot_sign_in_even_with_the_right_password(client, coordinator, demo_password):
    fail_five_times(client)
    response = sign_in(client, "coordinator", demo_password)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_ends_after_30_minutes(client, coordinator, demo_password):
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=time_ago(minutes=29))
    assert sign_in(client, "coordinator", demo_password).status_code == 429

    AccessAttempt.objects.update(attempt_time=time_ago(minutes=31))
    response = sign_in(client, "coordinator", demo_password)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(coordinator.pk)


def test_a_successful_sign_in_resets_the_count_of_failures(client, coordinator, demo_password):
    for _ in range(4):
        sign_in(client, "coordinator", "not-the-password")
    assert sign_in(client, "coordinator", demo_password).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "coordinator", "not-the-password").status_code == 200
    assert sign_in(client, "coordinator", demo_password).status_code == 302


def test_the_lockout_holds_the_user_name_from_that_address_only(client, coordinator, demo_password):
    fail_five_times(client)
    response = sign_in(client, "coordinator", demo_password, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302


PROXY = "10.0.0.1"  # nginx: every request reaches Django from here


def from_client(address: str, forged: str = "198.51.100.66") -> dict:
    """What nginx passes on for a browser at `address`: whatever the browser sent, then its address."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{forged}, {address}"}


def test_behind_the_trusted_proxy_a_lockout_holds_the_clients_address_not_the_proxys(
    client, coordinator, demo_password, settings
):
    settings.TSUNAGU_TRUSTED_PROXY = True
    for _ in range(5):
        response = sign_in(client, "coordinator", "not-the-password", **from_client("203.0.113.5"))
    assert response.status_code == 429
    assert sign_in(client, "coordinator", demo_password, **from_client("203.0.113.5")).status_code == 429
    # The real user, at another desk, still signs in through the same proxy.
    assert sign_in(client, "coordinator", demo_password, **from_client("203.0.113.9")).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_behind_the_trusted_proxy_a_forged_forwarded_entry_cannot_dodge_the_lockout(client, coordinator, settings):
    settings.TSUNAGU_TRUSTED_PROXY = True
    for number in range(5):
        response = sign_in(client, "coordinator", "x", **from_client("203.0.113.5", forged=f"192.0.2.{number}"))
    assert response.status_code == 429


def test_without_the_trusted_proxy_the_forwarded_header_is_ignored(client, coordinator, demo_password, settings):
    settings.TSUNAGU_TRUSTED_PROXY = False
    for number in range(5):
        response = sign_in(client, "coordinator", "x", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{number}")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.7"}


def test_the_lockout_and_the_access_log_take_the_address_by_one_rule(settings):
    from audit.services import client_ip

    assert import_string(settings.AXES_CLIENT_IP_CALLABLE) is client_ip


def test_a_lockout_sends_the_signal_the_access_log_listens_to(client, coordinator):
    received = []

    def receiver(sender, request, username, ip_address, **kwargs):
        received.append((username, ip_address))

    user_locked_out.connect(receiver)
    try:
        fail_five_times(client)
    finally:
        user_locked_out.disconnect(receiver)
    assert received == [("coordinator", "127.0.0.1")]


def time_ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


# --- two-factor authentication ----------------------------------------------------------------


@pytest.fixture
def mfa_on(settings):
    settings.TSUNAGU_REQUIRE_MFA = True


def pending_secret(client) -> bytes:
    """The secret the enrolment page shows, kept in the session until a code confirms it."""
    return bytes.fromhex(client.session[PENDING_SECRET])


def pending_code(client) -> str:
    return f"{TOTP(pending_secret(client)).token():06d}"


def enrol(client, user) -> str:
    """Sign in as the user and confirm an authenticator app; returns the code used."""
    client.force_login(user)
    client.get(reverse("mfa_setup"))
    code = pending_code(client)
    response = client.post(reverse("mfa_setup"), {"code": code, "next": "/"})
    assert response.status_code == 302
    return code


@pytest.mark.parametrize("persona", ["coordinator", "supervisor", "admin_user"])
def test_a_user_without_an_app_is_sent_to_enrolment_on_every_page(client, mfa_on, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in (reverse("home"), reverse("client_list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_setup"))


def test_signing_in_through_the_form_leads_to_enrolment(client, mfa_on, coordinator, demo_password):
    response = sign_in(client, "coordinator", demo_password)
    response = client.get(response["Location"])
    assert response["Location"] == reverse("mfa_setup") + "?next=%2F"


def test_the_enrolment_page_shows_a_qr_code_and_the_secret_in_japanese(client, mfa_on, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("mfa_setup"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2段階認証の設定" in page
    assert 'src="data:image/svg+xml' in page
    secret = b32encode(pending_secret(client)).decode()
    assert secret[:4] + " " + secret[4:8] in page


def test_a_right_code_confirms_the_app_and_opens_the_pages(client, mfa_on, coordinator):
    enrol(client, coordinator)
    assert TOTPDevice.objects.get(user=coordinator).confirmed
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_in_japanese(client, mfa_on, coordinator):
    client.force_login(coordinator)
    client.get(reverse("mfa_setup"))
    wrong = f"{(int(pending_code(client)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_setup"), {"code": wrong})
    assert response.status_code == 200
    assert "確認コードが正しくないか、すでに使われています" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert client.get(reverse("home")).status_code == 302


def test_a_code_that_is_not_six_digits_is_refused_in_japanese(client, mfa_on, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("mfa_setup"), {"code": "12ab"})
    assert "確認コードは6桁の数字で入力してください" in response.content.decode()


def test_an_enrolled_user_is_asked_for_the_code_at_the_next_sign_in(client, mfa_on, coordinator):
    enrol(client, coordinator)
    client.logout()
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("mfa_verify") + "?next=%2F"
    assert "確認コードの入力" in client.get(reverse("mfa_verify")).content.decode()


def test_the_same_code_cannot_be_used_twice(client, mfa_on, coordinator):
    used = enrol(client, coordinator)
    client.logout()
    client.force_login(coordinator)
    response = client.post(reverse("mfa_verify"), {"code": used})
    assert response.status_code == 200
    assert "すでに使われています" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_a_fresh_code_lets_an_enrolled_user_in(client, mfa_on, coordinator):
    enrol(client, coordinator)
    client.logout()
    device = TOTPDevice.objects.get(user=coordinator)
    # The next time step's code, as the app shows 30 seconds later (within django-otp's tolerance).
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + device.step
    client.force_login(coordinator)
    response = client.post(reverse("mfa_verify"), {"code": f"{totp.token():06d}", "next": "/clients/"})
    assert response["Location"] == "/clients/"
    assert client.get(reverse("client_list")).status_code == 200


def test_ward_staff_are_not_asked_for_a_code(client, mfa_on, ward_staff):
    client.force_login(ward_staff)
    assert client.get(reverse("home")).status_code == 200


def test_with_mfa_off_nobody_is_asked_for_a_code(client, settings, coordinator):
    settings.TSUNAGU_REQUIRE_MFA = False
    client.force_login(coordinator)
    assert client.get(reverse("home")).status_code == 200


def test_sign_out_stays_reachable_before_the_code(client, mfa_on, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


# --- passwords -----------------------------------------------------------------------------------


def messages_for(password: str, user=None) -> str:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def test_a_password_shorter_than_12_characters_is_refused(coordinator):
    assert "12" in messages_for("kx9-tr4-mq2", coordinator)


def test_a_common_password_is_refused(coordinator):
    assert messages_for("password1234", coordinator) != ""


def test_a_password_like_the_user_name_is_refused(coordinator):
    assert messages_for("coordinator1", coordinator) != ""


def test_a_long_password_needs_no_digits_capitals_or_symbols(coordinator):
    assert messages_for("みどりのかぜがふくおかのうえ", coordinator) == ""
    assert messages_for("lanterns drift over quiet rivers", coordinator) == ""
    assert messages_for("583920174652", coordinator) == ""


# --- sessions ------------------------------------------------------------------------------------


def set_clock(client, **values):
    session = client.session
    now = int(time.time())
    for key, seconds_ago in values.items():
        session[{"signed_in": SIGNED_IN_AT, "last_activity": LAST_ACTIVITY}[key]] = now - seconds_ago
    session.save()


def test_thirty_minutes_without_a_request_end_the_session(client, coordinator):
    client.force_login(coordinator)
    set_clock(client, last_activity=30 * 60 + 1)
    response = client.get(reverse("client_list"), follow=True)
    assert response.redirect_chain[0][0] == reverse("login") + "?next=/clients/"
    assert "30分間操作がなかったため、ログアウトしました" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_request_within_thirty_minutes_keeps_the_session_and_restarts_the_clock(client, coordinator):
    client.force_login(coordinator)
    set_clock(client, last_activity=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY] < 5


def test_ten_hours_after_sign_in_the_session_ends_however_busy(client, coordinator):
    client.force_login(coordinator)
    set_clock(client, signed_in=10 * 60 * 60 + 1, last_activity=10)
    response = client.get(reverse("home"), follow=True)
    assert "ログインから10時間が経過したため" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_signing_in_issues_a_new_session_key(client, coordinator, demo_password):
    session = client.session
    session["before"] = "sign-in"
    session.save()
    key_before = session.session_key

    assert sign_in(client, "coordinator", demo_password).status_code == 302
    assert client.session.session_key != key_before
    assert not Session.objects.filter(session_key=key_before).exists()


def test_deactivating_a_user_ends_their_sessions_at_once(client, coordinator):
    client.force_login(coordinator)
    key = client.session.session_key
    assert client.get(reverse("home")).status_code == 200

    coordinator.is_active = False
    coordinator.save()

    assert not Session.objects.filter(session_key=key).exists()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_user_with_a_surviving_session_is_anonymous(client, coordinator):
    client.force_login(coordinator)
    # As if the session outlived the deletion (another session store): Django's ModelBackend refuses
    # an inactive user when it loads the user of the session.
    type(coordinator).objects.filter(pk=coordinator.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
