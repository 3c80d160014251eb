"""A new coordinator's first day: the admin issues a set-up link, the newcomer sets a password and enrols."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from demo.builders import DEMO_PASSWORD

from .conftest import in_worker

pytestmark = pytest.mark.browser

NEWCOMER = "newcomer"
PASSWORD = "川沿いの桜並木を毎朝歩く"


def make_coordinator():
    user = User.objects.get(username=NEWCOMER)
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[Role.COORDINATOR]))


def test_the_admin_issues_a_link_and_the_newcomer_sets_a_password_and_enrols(
    page, browser, demo_site, screenshot, settings, created_account
):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("admin")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{demo_site}/admin/accounts/user/add/")
    expect(page.locator("input[type=password]")).to_have_count(0)
    page.locator("#id_username").fill(NEWCOMER)
    page.locator("#id_last_name").fill("新井")
    page.locator("#id_first_name").fill("はな")
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("初期設定用リンクを発行しました")
    screenshot("admin-setup-link")
    link = re.search(r"https?://\S+/account/setup/\S+/", page.locator(".messagelist code").inner_text()).group(0)
    in_worker(make_coordinator)
    settings.TSUNAGU_REQUIRE_MFA = True  # the server thread shares these settings

    newcomer = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("パスワードの設定")
    expect(newcomer.get_by_test_id("setup-username")).to_have_text(NEWCOMER)
    newcomer.get_by_label("新しいパスワード", exact=True).fill("short")
    newcomer.get_by_label("新しいパスワード（確認のためもう一度）").fill("short")
    newcomer.get_by_role("button", name="パスワードを設定する").click()
    expect(newcomer.get_by_role("alert").first).to_contain_text("このパスワードは短すぎます")

    newcomer.get_by_label("新しいパスワード", exact=True).fill(PASSWORD)
    newcomer.get_by_label("新しいパスワード（確認のためもう一度）").fill(PASSWORD)
    newcomer.get_by_role("button", name="パスワードを設定する").click()
    expect(newcomer.get_by_text("パスワードを設定しました")).to_be_visible()
    newcomer.get_by_label("ユーザー名").fill(NEWCOMER)
    newcomer.get_by_label("パスワード").fill(PASSWORD)
    newcomer.get_by_role("button", name="ログイン").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("2段階認証の設定")

    newcomer.context.close()

    # The link was for one use only.
    stranger = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("このリンクは使えません")
    stranger.context.close()
