"""Enrolling an authenticator app: nothing saved before a right code, one app per user, every step recorded."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.views import PENDING_SECRET
from audit.models import AccessEvent, Action, Outcome

pytestmark = pytest.mark.django_db

SETUP = reverse("mfa_setup")
VERIFY = reverse("mfa_verify")


@pytest.fixture
def mfa_on(settings):
    settings.TSUNAGU_REQUIRE_MFA = True


def code_for(secret: bytes, *, later_steps: int = 0) -> str:
    totp = TOTP(secret)
    totp.time = totp.time + 30 * later_steps
    return f"{totp.token():06d}"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def pending_secret(client) -> bytes:
    return bytes.fromhex(client.session[PENDING_SECRET])


def enrol(client, user) -> TOTPDevice:
    client.force_login(user)
    client.get(SETUP)
    assert client.post(SETUP, {"code": code_for(pending_secret(client)), "next": "/"}).status_code == 302
    return TOTPDevice.objects.get(user=user)


def last_event() -> AccessEvent:
    return AccessEvent.objects.order_by("-id").first()


def test_opening_the_enrolment_page_again_and_again_saves_nothing_and_keeps_the_same_secret(
    client, mfa_on, coordinator
):
    client.force_login(coordinator)
    pages = [client.get(SETUP) for _ in range(3)]
    assert {page.status_code for page in pages} == {200}
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    # The same QR code each time, so an app scanned from the first page still matches.
    assert len({page.context["secret"] for page in pages}) == 1
    wrong_answer = client.post(SETUP, {"code": wrong(code_for(pending_secret(client)))})
    assert wrong_answer.status_code == 200
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_a_right_code_saves_exactly_one_confirmed_app_and_forgets_the_pending_secret(client, mfa_on, coordinator):
    # A row left unconfirmed by an earlier version of the page is replaced, not kept beside.
    TOTPDevice.objects.create(user=coordinator, name="古い登録", confirmed=False)
    device = enrol(client, coordinator)
    assert device.confirmed
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1
    assert PENDING_SECRET not in client.session
    assert client.get(reverse("client_list")).status_code == 200


def test_the_code_that_confirmed_the_app_cannot_be_used_again_at_the_next_sign_in(client, mfa_on, coordinator):
    client.force_login(coordinator)
    client.get(SETUP)
    secret = pending_secret(client)
    used = code_for(secret)
    assert client.post(SETUP, {"code": used}).status_code == 302
    client.logout()
    client.force_login(coordinator)
    response = client.post(VERIFY, {"code": used})
    assert "すでに使われています" in response.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)


def test_a_user_with_a_confirmed_app_cannot_enrol_another_one_and_the_try_is_recorded(client, mfa_on, coordinator):
    device = enrol(client, coordinator)
    client.logout()
    client.force_login(coordinator)
    assert client.get(SETUP)["Location"] == VERIFY
    response = client.post(SETUP, {"code": "123456"})
    assert response.status_code == 403
    assert list(TOTPDevice.objects.filter(user=coordinator)) == [device]
    assert (last_event().action, last_event().url_name, last_event().outcome) == (
        Action.REFUSED,
        "mfa_setup",
        Outcome.REFUSED,
    )
    # Signed in with the code, the page still enrols nothing.
    assert client.post(VERIFY, {"code": code_for(device.bin_key, later_steps=1), "next": "/"}).status_code == 302
    assert client.post(SETUP, {"code": "123456"}).status_code == 403
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_after_an_admin_deletes_a_lost_app_the_user_enrols_a_new_one(client, mfa_on, coordinator, admin_user):
    lost = enrol(client, coordinator)
    client.logout()
    enrol(client, admin_user)
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    client.logout()
    client.force_login(coordinator)
    assert client.get(reverse("home"))["Location"].startswith(SETUP)
    assert enrol(client, coordinator).pk != lost.pk


def test_the_admin_never_sees_an_apps_secret_and_cannot_add_or_change_one(client, coordinator, admin_user):
    device = TOTPDevice.objects.create(user=coordinator, name="認証アプリ", confirmed=True)
    client.force_login(admin_user)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    assert (
        client.post(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]), {"key": "00" * 20}).status_code
        == 403
    )
    assert client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk])).status_code == 403
    device.refresh_from_db()
    assert device.key != "00" * 20


def test_enrolment_and_codes_are_recorded_in_the_access_log(client, mfa_on, coordinator):
    client.force_login(coordinator)
    client.get(SETUP)
    secret = pending_secret(client)
    client.post(SETUP, {"code": wrong(code_for(secret))}, REMOTE_ADDR="192.0.2.31")
    event = last_event()
    assert (event.action, event.outcome, event.url_name, event.username, event.role, event.ip_address) == (
        Action.SIGN_IN_FAILED,
        Outcome.REFUSED,
        "mfa_setup",
        "coordinator",
        "コーディネーター",
        "192.0.2.31",
    )
    client.post(SETUP, {"code": code_for(secret)})
    assert (last_event().action, last_event().outcome, last_event().url_name) == (
        Action.SIGN_IN,
        Outcome.SUCCESS,
        "mfa_setup",
    )

    client.logout()
    client.force_login(coordinator)
    client.post(VERIFY, {"code": wrong(code_for(secret, later_steps=1))})
    assert (last_event().action, last_event().outcome, last_event().url_name) == (
        Action.SIGN_IN_FAILED,
        Outcome.REFUSED,
        "mfa_verify",
    )


@pytest.mark.parametrize("mfa", [True, False])
def test_users_who_need_no_code_are_sent_home_from_both_pages_and_their_posts_refused(
    client, settings, ward_staff, coordinator, mfa
):
    settings.TSUNAGU_REQUIRE_MFA = mfa
    users = [ward_staff] if mfa else [ward_staff, coordinator]
    for user in users:
        client.force_login(user)
        assert client.get(SETUP)["Location"] == reverse("home")
        assert client.get(VERIFY)["Location"] == reverse("home")
        assert client.post(SETUP, {"code": "123456"}).status_code == 403
        assert client.post(VERIFY, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_a_deleted_app_stops_working_at_once_even_in_a_session_it_already_verified(client, mfa_on, coordinator):
    device = enrol(client, coordinator)
    assert client.get(reverse("client_list")).status_code == 200
    device.delete()
    response = client.get(reverse("client_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
