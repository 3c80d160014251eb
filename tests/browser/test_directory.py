"""A ward-staff user looks up a provider for a family and cannot open a client's page."""

import re

import pytest
from playwright.sync_api import expect

from coordination.clients.models import Client
from demo.builders import DEMO_PASSWORD

from .conftest import in_worker

pytestmark = pytest.mark.browser


def test_ward_staff_search_in_half_width_kana_filter_by_ventilator_and_open_a_provider(
    page, demo_site, screenshot, django_db_blocker
):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("ward")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    # The ward-staff home is the directory search.
    page.get_by_label("名称・フリガナ・住所").fill("ｱｵﾊﾞ")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("heading", level=1, name="機関・事業所を探す")).to_be_visible()
    rows = page.locator("table.directory-table tbody tr")
    expect(rows.first).to_contain_text("あおば")
    all_aoba = rows.count()
    assert all_aoba >= 5

    page.get_by_label("人工呼吸器").check()
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_label("人工呼吸器")).to_be_checked()
    expect(page.get_by_label("名称・フリガナ・住所")).to_have_value("ｱｵﾊﾞ")
    assert 0 < rows.count() < all_aoba
    for name in rows.locator("td:first-child a").all_inner_texts():
        assert "あおば" in name
    screenshot("directory-search")

    rows.locator("td:first-child a", has_text="あおば在宅クリニック").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("あおば在宅クリニック")
    ventilator = page.locator("table.acceptance-table tr", has=page.get_by_role("rowheader", name="人工呼吸器"))
    expect(ventilator.locator(".acceptance")).to_have_text(re.compile(r"^(可|条件付き)$"))
    expect(page.get_by_text("内部メモ")).to_have_count(0)
    expect(page.get_by_role("button", name="今日確認した")).to_have_count(0)
    screenshot("directory-provider")

    def a_client_pk():
        with django_db_blocker.unblock():
            return Client.objects.values_list("pk", flat=True).first()

    response = page.goto(f"{demo_site}/clients/{in_worker(a_client_pk)}/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1, name="このページは表示できません")).to_be_visible()
    expect(page.get_by_role("link", name="相談対象者")).to_have_count(0)


NEW_PROVIDER = "ゆうびん番号テスト訪問看護"


@pytest.fixture
def no_test_provider(django_db_blocker):
    def delete():
        with django_db_blocker.unblock():
            from directory.models import Provider, ProviderProcedure

            ids = list(Provider.objects.filter(name=NEW_PROVIDER).values_list("pk", flat=True))
            ProviderProcedure.objects.filter(provider_id__in=ids).delete()
            Provider.history.filter(id__in=ids).delete()
            Provider.objects.filter(pk__in=ids).delete()

    in_worker(delete)
    yield
    in_worker(delete)


def test_a_coordinator_types_a_postal_code_and_the_address_fills_in(page, demo_site, no_test_provider):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{demo_site}/directory/new/")
    page.get_by_label(re.compile(r"^\s*名称")).first.fill(NEW_PROVIDER)
    page.get_by_label(re.compile(r"^\s*種別")).select_option(label="訪問看護ステーション")
    postal_code = page.get_by_label("郵便番号")
    address = page.get_by_label("住所", exact=True)
    postal_code.fill("１１５００４５")  # full-width, no hyphen, as an IME may give it
    expect(address).to_have_value("東京都北区赤羽")
    expect(page.get_by_label("区市町村")).to_have_value("北区")
    expect(page.get_by_text("〒115-0045：東京都北区赤羽")).to_be_visible()
    address.fill("東京都北区赤羽1-2-3")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NEW_PROVIDER)
    expect(page.get_by_text("〒115-0045 東京都北区赤羽1-2-3")).to_be_visible()

    # A code of another town: the address the coordinator wrote stays, and saving warns of the mismatch.
    page.get_by_role("link", name="編集する").click()
    page.get_by_label("郵便番号").fill("114-0002")
    expect(page.get_by_text("〒114-0002：東京都北区王子")).to_be_visible()
    expect(page.get_by_label("住所", exact=True)).to_have_value("東京都北区赤羽1-2-3")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").filter(has_text="地域と合いません")).to_contain_text(
        "住所が郵便番号 114-0002（東京都北区王子）の地域と合いません"
    )


HOURS_PROVIDER = "きょうの時間テスト訪問看護"


@pytest.fixture
def no_hours_provider(django_db_blocker):
    def delete():
        with django_db_blocker.unblock():
            from directory.models import Provider

            Provider.objects.filter(name=HOURS_PROVIDER).delete()  # its rows and matrix go with it

    in_worker(delete)
    yield
    in_worker(delete)


def test_a_coordinator_types_opening_hours_with_the_keyboard(page, demo_site, no_hours_provider, screenshot):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{demo_site}/directory/new/")
    page.get_by_label(re.compile(r"^\s*名称")).first.fill(HOURS_PROVIDER)
    page.get_by_label(re.compile(r"^\s*種別")).select_option(label="訪問看護ステーション")

    # Row 1: 月 to 金 with the space bar, then the times, one Tab apart.
    first_row = page.get_by_role("group", name="1行目の曜日")
    first_row.get_by_label("月").focus()
    for _ in range(4):
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("０９００")  # full width and no colon, as an IME may give it
    page.keyboard.press("Tab")
    page.keyboard.type("17:00")
    # Row 2: 土, closing before opening by mistake.
    page.get_by_role("group", name="2行目の曜日").get_by_label("土").check()
    page.get_by_label("2行目の開始").fill("12:00")
    page.get_by_label("2行目の終了").fill("9:00")
    page.get_by_label("2行目の終了").press("Enter")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("保存されていません")
    expect(alert).to_contain_text("受付・営業時間 2行目の終了：終了の時刻は開始より後にしてください。")
    expect(page.get_by_label("1行目の開始")).to_have_value("０９００")
    page.locator("#schedule-rows").scroll_into_view_if_needed()
    screenshot("directory-provider-hours-form")
    alert.get_by_role("link", name=re.compile("2行目の終了")).click()
    expect(page.get_by_label("2行目の終了")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("12:30")
    page.get_by_label("2行目の開始").fill("9:00")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(HOURS_PROVIDER)
    hours = page.locator("table.hours-table tbody tr")
    expect(hours).to_have_count(2)
    expect(hours.nth(0)).to_have_text(re.compile(r"月～金\s*9:00～17:00"))
    expect(hours.nth(1)).to_have_text(re.compile(r"土\s*9:00～12:30"))
    screenshot("directory-provider-hours")
