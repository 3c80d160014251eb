"""A coordinator registers a client with the keyboard only and lands on the client's page."""

import re

import pytest
from playwright.sync_api import expect

from coordination.clients.models import Client, Guardian
from demo.builders import DEMO_PASSWORD

from .conftest import in_worker

pytestmark = pytest.mark.browser

NAME = "試験 芽依"


@pytest.fixture
def clean_clients(django_db_blocker):
    """Browser tests commit for real: remove the client this test makes, with its history."""

    def delete():
        with django_db_blocker.unblock():
            pks = list(Client.objects.filter(name=NAME).values_list("pk", flat=True))
            Guardian.objects.filter(client_id__in=pks).delete()
            Client.objects.filter(pk__in=pks).delete()
            Guardian.history.filter(client_id__in=pks).delete()
            Client.history.filter(id__in=pks).delete()

    in_worker(delete)
    yield
    in_worker(delete)


def field(page, label: str):
    """The client form's field with this label (a required one's label ends in 必須)."""
    name = re.compile(rf"^\s*{re.escape(label)}(\s*必須)?\s*$")
    return page.locator("form.client-form > fieldset").get_by_label(name).first


def tab_to(page, label: str, *, presses: int = 1):
    """Tab forward and check that the field the user reaches is the one expected."""
    for _ in range(presses):
        page.keyboard.press("Tab")
    expect(field(page, label)).to_be_focused()


def choose_with_arrows(page, label: str, option: str):
    """Arrow down through a focused select until the option is chosen, as a keyboard user does."""
    select = field(page, label)
    for _ in range(10):
        if select.locator("option:checked").inner_text() == option:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{option} is not among the choices of {label}")


def test_a_coordinator_registers_a_client_with_the_keyboard(page, demo_site, screenshot, clean_clients):
    page.goto(f"{demo_site}/clients/")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    page.get_by_label("ユーザー名").focus()
    page.keyboard.type("coordinator")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="相談対象者", exact=True)).to_be_visible()

    page.get_by_role("link", name="相談対象者を登録").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="相談対象者を登録")).to_be_visible()

    field(page, "氏名").focus()
    page.keyboard.type(NAME)
    tab_to(page, "フリガナ")
    page.keyboard.type("しけん めい")  # hiragana: saved as katakana
    tab_to(page, "生年月日")
    page.keyboard.type("R3.6.15")
    tab_to(page, "状況")
    tab_to(page, "担当コーディネーター")
    choose_with_arrows(page, "担当コーディネーター", "青木 ひかり")
    tab_to(page, "地区")
    choose_with_arrows(page, "地区", "王子地区")
    tab_to(page, "区外の住所地（区市町村）")
    tab_to(page, "医療的ケアあり")
    page.keyboard.press("Space")
    tab_to(page, "人工呼吸器")
    page.keyboard.press("Space")
    tab_to(page, "吸引", presses=4)  # 気管切開, 鼻咽頭エアウェイ, 酸素療法, 吸引
    page.keyboard.press("Space")
    tab_to(page, "年齢区分の上書き", presses=10)  # past the other procedures
    tab_to(page, "上書きの理由")
    tab_to(page, "情報共有の同意日")
    page.keyboard.type("令和7年4月1日")
    tab_to(page, "同意の範囲")
    page.keyboard.type("主治医・訪問看護ステーションとの情報共有")
    tab_to(page, "同意を得た職員")
    choose_with_arrows(page, "同意を得た職員", "青木 ひかり")
    page.keyboard.press("Tab")
    expect(page.locator("#id_guardians-0-name")).to_be_focused()
    page.keyboard.type("試験 直子")
    page.keyboard.press("Tab")
    page.keyboard.type("母")
    page.keyboard.press("Tab")
    page.keyboard.type("090-1234-5678")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#id_guardians-0-is_primary")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # submits the form from a text field

    expect(page.get_by_text(f"{NAME} さんの情報を保存しました。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(page.get_by_role("heading", level=1)).to_contain_text("シケン メイ")
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("2021年6月15日（令和3年6月15日）")
    expect(facts).to_contain_text("王子地区")
    expect(facts).to_contain_text("青木 ひかり")
    expect(page.get_by_role("region", name="医療的ケア", exact=True)).to_contain_text("人工呼吸器")
    expect(page.get_by_role("region", name="医療的ケア", exact=True)).to_contain_text("吸引")
    guardians = page.get_by_role("region", name="保護者・家族の連絡先")
    expect(guardians).to_contain_text("試験 直子")
    expect(guardians).to_contain_text("090-1234-5678")
    expect(guardians).to_contain_text("主な連絡先")
    expect(page.get_by_role("region", name="情報共有の同意")).to_contain_text("2025年4月1日")
    expect(page.get_by_text("この対象者の記録はまだありません。")).to_be_visible()
    expect(page.get_by_role("link", name="この対象者の記録を追加")).to_be_visible()
    screenshot("client-page", for_docs=True)

    page.get_by_role("link", name="ホーム").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="ライフステージの節目（半年以内）")).to_be_visible()
    screenshot("home-coordinator-after-a-new-client")
