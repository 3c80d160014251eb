"""A supervisor's first sign-in with two-factor authentication on: scan, type the code, land home."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from demo.builders import DEMO_PASSWORD

from .conftest import in_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def mfa_on(settings, django_db_blocker):
    """The server thread shares these settings; browser tests commit, so remove the devices made."""
    settings.TSUNAGU_REQUIRE_MFA = True
    yield

    def delete():
        with django_db_blocker.unblock():
            TOTPDevice.objects.filter(user__username="supervisor").delete()

    in_worker(delete)


def test_a_supervisor_enrols_an_authenticator_app_on_first_sign_in(page, demo_site, screenshot, mfa_on):
    page.goto(f"{demo_site}/reports/quarterly/")
    page.get_by_label("ユーザー名").fill("supervisor")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2段階認証の設定")
    expect(page.get_by_role("img", name="認証アプリに登録するQRコード")).to_be_visible()
    screenshot("mfa-setup")

    # Type the secret shown on the page into an "app", as a user without a camera would.
    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    page.get_by_label("確認コード（6桁）").fill("000000" if TOTP(b32decode(secret)).token() != 0 else "111111")
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("alert")).to_contain_text("確認コードが正しくないか")

    # django-otp makes the next try wait a second after a wrong code.
    page.wait_for_timeout(1100)
    page.get_by_label("確認コード（6桁）").fill(f"{TOTP(b32decode(secret)).token():06d}")
    page.get_by_role("button", name="登録する").click()

    expect(page).to_have_url(f"{demo_site}/reports/quarterly/")
    expect(page.locator(".role-badge")).to_have_text("管理者")
