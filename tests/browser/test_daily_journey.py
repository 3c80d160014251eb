"""A coordinator's day: register a client, log a call about them with the keyboard, find it again."""

import re

import pytest
from playwright.sync_api import expect

from coordination.clients.models import Client, Guardian
from coordination.logs.models import ContactLog, Counterpart
from demo.builders import DEMO_PASSWORD

from .conftest import in_worker

pytestmark = pytest.mark.browser
NAME, KANA = "経路 陽向", "ケイロ ヒナタ"
SUMMARY = "退院後の訪問看護の開始について調整"


@pytest.fixture
def clean_journey(django_db_blocker):
    """Browser tests commit for real: remove this test's client and logs, with their history."""

    def delete():
        with django_db_blocker.unblock():
            clients = list(Client.objects.filter(name=NAME).values_list("pk", flat=True))
            logs = list(ContactLog.objects.filter(client_id__in=clients).values_list("pk", flat=True))
            ContactLog.objects.filter(pk__in=logs).delete()
            records = ContactLog.history.filter(id__in=logs)
            ContactLog.history.model.activity_types.model.objects.filter(history__in=records).delete()
            records.delete()
            Counterpart.history.filter(contact_log_id__in=logs).delete()
            Guardian.objects.filter(client_id__in=clients).delete()
            Client.objects.filter(pk__in=clients).delete()
            Guardian.history.filter(client_id__in=clients).delete()
            Client.history.filter(id__in=clients).delete()

    in_worker(delete)
    yield
    in_worker(delete)


def test_a_client_a_call_about_them_and_finding_it_again(page, demo_site, clean_journey):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    # A new client.
    page.get_by_role("link", name="相談対象者", exact=True).click()
    page.get_by_role("link", name="相談対象者を登録").click()
    form = page.locator("form.client-form")
    form.get_by_label(re.compile(r"^\s*氏名")).first.fill(NAME)
    form.get_by_label(re.compile(r"^\s*フリガナ")).first.fill("けいろ ひなた")
    form.get_by_label(re.compile(r"^\s*生年月日")).first.fill("R4.9.1")
    form.get_by_label(re.compile(r"^\s*地区")).first.select_option(label="赤羽地区")
    page.get_by_role("button", name="保存").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(KANA)

    # A call about them, keyboard only from the first field: the client is already chosen.
    page.get_by_role("link", name="この対象者の記録を追加").click()
    page.wait_for_load_state("load")  # the script has turned the client <select> into a search box
    expect(page.locator("input#id_client")).to_be_focused()
    expect(page.get_by_role("combobox", name="相談対象者")).to_be_focused()
    expect(page.get_by_role("combobox", name="相談対象者")).to_have_value(re.compile(NAME))
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # 電話
    page.keyboard.press("Tab")
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # 当事者 ▸ 親 ▸ 母
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # 相手先を追加
    expect(page.locator("#id_counterparts-1-category")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("あさひほうもんかんご")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text("あさひ訪問看護ステーション")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_label("種別を絞り込む")).to_be_focused()
    page.keyboard.type("退院")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("訪問看護")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("報告書用の要約（一行）")).to_be_focused()
    page.keyboard.type(SUMMARY)
    page.keyboard.press("Enter")  # submits the form from the one-line summary
    expect(page.get_by_role("status").filter(has_text="記録を保存しました")).to_be_visible()

    # The call is on the client's timeline …
    page.goto(f"{demo_site}/clients/?q=けいろ")
    page.get_by_role("link", name=NAME).click()
    timeline = page.get_by_role("region", name="記録と次の対応（新しい順）")
    expect(timeline).to_contain_text(SUMMARY)
    expect(timeline).to_contain_text("電話")

    # … and in the log list filtered by a word of its summary.
    page.get_by_role("link", name="記録の一覧").click()
    page.get_by_label("キーワード").fill("訪問看護の開始")
    page.get_by_role("button", name="絞り込む").click()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(NAME)
    expect(rows.first).to_contain_text("あさひ訪問看護ステーション")
