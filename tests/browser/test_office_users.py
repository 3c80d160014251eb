"""管理 ▸ 利用者: a supervisor adds a coordinator, who sets a password, signs in and enrols an app."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.models import User
from demo.builders import DEMO_PASSWORD

from .conftest import in_worker

pytestmark = pytest.mark.browser

NEWCOMER = "kitagawa"
PASSWORD = "川沿いの桜並木を毎朝歩く"


def test_a_supervisor_adds_a_coordinator_who_sets_a_password_enrols_and_lands_home(
    page, browser, demo_site, screenshot, settings, created_account
):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("supervisor")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="管理", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("管理")
    page.get_by_role("link", name="利用者", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("利用者")
    expect(page.get_by_role("row", name="青木 ひかり")).to_contain_text("コーディネーター")
    screenshot("settings-users", for_docs=True)

    page.get_by_role("link", name="利用者を追加").click()
    # A user name already taken: a Japanese message, nobody added.
    page.get_by_label("姓").fill("北川")
    page.get_by_label("名", exact=True).fill("みなみ")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("コーディネーター：", exact=False).check()
    page.get_by_role("button", name="追加してリンクを発行する").click()
    expect(page.get_by_role("alert")).to_contain_text("このユーザー名はすでに使われています")

    page.get_by_label("ユーザー名").fill(NEWCOMER)
    page.get_by_role("button", name="追加してリンクを発行する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("北川 みなみ さんを追加しました")
    link = page.get_by_test_id("setup-link").input_value()
    screenshot("settings-user-added", for_docs=True)
    page.get_by_role("link", name="北川 みなみ さんのページへ").click()
    expect(page.get_by_role("heading", name="変更履歴")).to_be_visible()
    expect(page.get_by_text("利用者を追加（役割：コーディネーター）")).to_be_visible()
    screenshot("settings-user-page")
    settings.TSUNAGU_REQUIRE_MFA = True  # the server thread shares these settings

    newcomer = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("パスワードの設定")
    newcomer.get_by_label("新しいパスワード", exact=True).fill(PASSWORD)
    newcomer.get_by_label("新しいパスワード（確認のためもう一度）").fill(PASSWORD)
    newcomer.get_by_role("button", name="パスワードを設定する").click()
    expect(newcomer.get_by_text("パスワードを設定しました")).to_be_visible()
    newcomer.get_by_label("ユーザー名").fill(NEWCOMER)
    newcomer.get_by_label("パスワード").fill(PASSWORD)
    newcomer.get_by_role("button", name="ログイン").click()

    expect(newcomer.get_by_role("heading", level=1)).to_have_text("2段階認証の設定")
    secret = newcomer.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    newcomer.get_by_label("確認コード（6桁）").fill(f"{TOTP(b32decode(secret)).token():06d}")
    newcomer.get_by_role("button", name="登録する").click()

    expect(newcomer).to_have_url(f"{demo_site}/")
    expect(newcomer.locator(".role-badge")).to_have_text("コーディネーター")
    expect(newcomer.locator(".site-user")).to_contain_text("北川 みなみ")
    newcomer.context.close()

    # Back on the supervisor's list (two-factor now on for everyone: the supervisor would enrol
    # too, so check in the database what the list shows).
    def state():
        user = User.objects.get(username=NEWCOMER)
        return user.role.label, user.last_login is not None, user.totpdevice_set.filter(confirmed=True).count()

    assert in_worker(state) == ("コーディネーター", True, 1)
