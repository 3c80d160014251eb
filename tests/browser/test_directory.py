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
