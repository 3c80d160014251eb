"""A coordinator logs a call with the keyboard only; a session that expires mid-entry loses nothing."""

import re

import pytest
from playwright.sync_api import expect

from coordination.logs.models import ContactLog, Counterpart
from demo.builders import DEMO_PASSWORD

from .conftest import in_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def clean_logs(django_db_blocker):
    """Browser tests commit for real: remove the logs this test makes, with their history."""

    def last_pk():
        with django_db_blocker.unblock():
            return ContactLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    before = in_worker(last_pk)
    yield

    def delete():
        with django_db_blocker.unblock():
            created = list(ContactLog.objects.filter(pk__gt=before).values_list("pk", flat=True))
            ContactLog.objects.filter(pk__in=created).delete()
            records = ContactLog.history.filter(id__in=created)
            ContactLog.history.model.activity_types.model.objects.filter(history__in=records).delete()
            records.delete()
            Counterpart.history.filter(contact_log_id__in=created).delete()

    in_worker(delete)


def sign_in_with_the_keyboard(page, username="coordinator"):
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    page.get_by_label("ユーザー名").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"))
    # The log form's script turns the client <select> into a search box; type once it has.
    page.wait_for_load_state("load")


def test_a_coordinator_logs_a_call_with_the_keyboard_only(page, demo_site, screenshot, clean_logs):
    page.goto(f"{demo_site}/logs/new/")
    sign_in_with_the_keyboard(page)
    expect(page).to_have_url(f"{demo_site}/logs/new/")
    client_picker = page.get_by_role("combobox", name="相談対象者")
    expect(client_picker).to_be_focused()

    # The client: type part of the name in hiragana, pick with the arrow key and Enter.
    page.keyboard.type("あおやま")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text(
        "青山 颯"
    )  # the results for the whole word
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(client_picker).to_have_value("青山 颯（アオヤマ ハヤテ）")

    # The method: the first choice is 電話.
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("方法")).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#id_method option:checked")).to_have_text("電話")

    # First counterpart: the mother (当事者 ▸ 本人, 親 ▸ 両親, 親 ▸ 母).
    page.keyboard.press("Tab")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#id_counterparts-0-category option:checked")).to_have_text("当事者 ▸ 親 ▸ 母")

    # Past the organization field and the row's remove button to "相手先を追加".
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="相手先を追加")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_counterparts-1-category")).to_be_focused()

    # Second counterpart: a visiting-nurse station found by its フリガナ; picking it fills the category.
    page.keyboard.press("Tab")
    page.keyboard.type("あさひほうもんかんご")
    provider_name = "あさひ訪問看護ステーション"
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text(provider_name)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_counterparts-1-organization")).to_have_value(provider_name)
    expect(page.locator("#id_counterparts-1-category option:checked")).to_have_text("医療機関 ▸ 訪問看護")

    # Activity types: filter, Tab to the one left, Space; twice.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("種別を絞り込む")).to_be_focused()
    page.keyboard.type("退院")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_label("退院前カンファレンス・退院前訪問")).to_be_checked()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("訪問看護")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("fieldset.activity-group", has_text="在宅医療").get_by_label("訪問看護")).to_be_checked()

    # The summary (no names), include it in the report, a note, then save.
    page.keyboard.press("Tab")
    expect(page.get_by_label("報告書用の要約（一行）")).to_be_focused()
    page.keyboard.type("退院に向けて訪問看護ステーションと調整")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("母より電話。退院日が決まったので訪問看護の調整を依頼された。")
    page.get_by_label("種別を絞り込む").fill("")  # show every type again for the screenshot
    page.get_by_label("記録（要配慮・報告書には出ません）").focus()
    screenshot("log-form", for_docs=True)

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    # 支援の種類 followed the client (個別支援) and is one stop, after the content, on the way to 保存.
    page.keyboard.press("Tab")
    expect(page.get_by_label("個別支援")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="保存", exact=True)).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/logs/\d+/$"))
    expect(page.get_by_role("status").filter(has_text="記録を保存しました")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("青山 颯")
    expect(facts).to_contain_text("電話")
    expect(facts).to_contain_text("当事者 ▸ 親 ▸ 母")
    expect(facts).to_contain_text(f"医療機関 ▸ 訪問看護：{provider_name}")
    expect(facts).to_contain_text("退院前カンファレンス・退院前訪問")
    expect(facts).to_contain_text("在宅医療 ▸ 訪問看護")
    expect(facts).to_contain_text("退院に向けて訪問看護ステーションと調整")
    expect(page.locator("ol.history")).to_contain_text("作成")
    # The saved form's draft is gone.
    key = page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':log-new'))")
    assert key == []
    screenshot("log-detail")


def test_a_session_expiring_mid_entry_loses_nothing(page, demo_site, screenshot, clean_logs):
    page.goto(f"{demo_site}/logs/new/")
    sign_in_with_the_keyboard(page)
    page.keyboard.type("あおやま")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text(
        "青山 颯"
    )  # the results for the whole word
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_label("報告書用の要約（一行）").fill("入院中の面会調整")
    notes = page.get_by_label("記録（要配慮・報告書には出ません）")
    notes.click()
    page.keyboard.type("病棟看護師から電話。来週の面会について")

    # The session ends while the coordinator is still typing (a timeout, another tab's sign-out…).
    page.context.clear_cookies(name="sessionid")
    page.keyboard.type("相談を受けた。")
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page).to_have_url(f"{demo_site}/login/?next=/logs/new/")
    sign_in_with_the_keyboard(page)

    expect(page).to_have_url(f"{demo_site}/logs/new/")
    expect(page.get_by_text("入力途中の内容を復元しました")).to_be_visible()
    expect(notes).to_have_value("病棟看護師から電話。来週の面会について相談を受けた。")
    expect(page.get_by_label("報告書用の要約（一行）")).to_have_value("入院中の面会調整")
    expect(page.get_by_role("combobox", name="相談対象者")).to_have_value("青山 颯（アオヤマ ハヤテ）")
    screenshot("log-form-restored")

    # 破棄 puts the form back as it was served, and forgets the draft.
    page.get_by_role("button", name="破棄").click()
    expect(notes).to_have_value("")
    expect(page.get_by_text("入力途中の内容を復元しました")).to_be_hidden()
    page.reload()
    expect(page.get_by_text("入力途中の内容を復元しました")).to_be_hidden()


def test_signing_out_on_purpose_forgets_the_draft(page, demo_site):
    page.goto(f"{demo_site}/logs/new/")
    sign_in_with_the_keyboard(page)
    page.get_by_label("記録（要配慮・報告書には出ません）").fill("母の体調について（要配慮）")
    # The draft is kept a moment after typing stops.
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('tsunagu:draft:'))")

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tsunagu:draft:'))") == []
    page.goto(f"{demo_site}/logs/new/")
    sign_in_with_the_keyboard(page)
    expect(page.get_by_text("入力途中の内容を復元しました")).to_be_hidden()
    expect(page.get_by_label("記録（要配慮・報告書には出ません）")).to_have_value("")
