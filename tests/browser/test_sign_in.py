"""Every demo user signs in with the keyboard and lands on their own home page."""

import pytest
from playwright.sync_api import expect

from demo.builders import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("username", "heading", "badge"),
    [
        ("coordinator", "青木 ひかり さんのホーム", "コーディネーター"),
        ("supervisor", "北区医療的ケア児等コーディネーター事業", "管理者"),
        ("ward", "機関・事業所を探す", "区職員"),
        ("admin", "システム管理", "システム管理者"),
    ],
)
def test_a_demo_user_signs_in_and_lands_on_their_home(page, demo_site, screenshot, username, heading, badge):
    page.goto(f"{demo_site}/")
    expect(page).to_have_url(f"{demo_site}/login/?next=/")
    # The user name field has the focus: type, Tab, type, Enter.
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{demo_site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".role-badge")).to_have_text(badge)
    screenshot(f"home-{username}")

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()


def test_a_wrong_password_is_refused_in_japanese(page, demo_site):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill("not-the-password")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("正しいユーザー名とパスワードを入力してください")


def test_ward_staff_search_the_directory_in_half_width_katakana(page, demo_site, screenshot):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("ward")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    page.get_by_label("名称・フリガナ・住所").fill("ｿﾖｶｾﾞ")
    page.get_by_role("button", name="検索").click()

    rows = page.locator("table.data tbody tr")
    expect(rows.first).to_contain_text("そよかぜ")
    screenshot("directory-search")
