"""The log list's client filter searches as the user types (the page does not list every client)."""

import re

import pytest
from playwright.sync_api import expect

from .test_log_entry import sign_in_with_the_keyboard

pytestmark = pytest.mark.browser


def test_the_log_list_filters_by_a_client_picked_from_the_search(page, demo_site):
    page.goto(f"{demo_site}/logs/")
    sign_in_with_the_keyboard(page)
    expect(page).to_have_url(f"{demo_site}/logs/")
    page.get_by_text("さらに条件を指定する").click()
    # The typed-name field is for pages without JavaScript: the combobox replaces it.
    expect(page.get_by_label("相談対象者（氏名・フリガナ）")).to_have_count(0)
    picker = page.get_by_role("combobox", name="相談対象者")
    picker.click()
    page.keyboard.type("あおやま")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text("青山 颯")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(picker).to_have_value("青山 颯（アオヤマ ハヤテ）")
    page.get_by_role("button", name="絞り込む").click()

    expect(page).to_have_url(re.compile(r"[?&]client=\d+"))
    cells = page.locator(".log-table tbody tr td:nth-child(3)")
    expect(cells.first).to_contain_text("青山 颯")
    for text in cells.all_inner_texts():
        assert "青山 颯" in text
    expect(page.get_by_role("combobox", name="相談対象者")).to_have_value("青山 颯（アオヤマ ハヤテ）")
