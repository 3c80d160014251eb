"""A coordinator records a meeting with the keyboard only and finds it in the list of events."""

import threading

import pytest
from playwright.sync_api import expect

from coordination.events.models import Event
from coordination.logs.models import ContactLog
from demo.builders import DEMO_PASSWORD

pytestmark = pytest.mark.browser

NAME = "北区医療的ケア児等支援連絡会（ブラウザテスト）"


@pytest.fixture
def clean_events(django_db_blocker):
    """Browser tests commit for real: remove the meeting this test records and its log."""
    yield

    def delete():
        with django_db_blocker.unblock():
            log_ids = list(Event.objects.filter(name=NAME).values_list("contact_log_id", flat=True))
            Event.objects.filter(name=NAME).delete()
            ContactLog.objects.filter(pk__in=[pk for pk in log_ids if pk]).delete()

    # Playwright's event loop runs in this thread, and Django refuses ORM calls from it.
    worker = threading.Thread(target=delete)
    worker.start()
    worker.join()


def saved_meeting(django_db_blocker) -> dict:
    result = {}

    def read():
        with django_db_blocker.unblock():
            event = Event.objects.select_related("contact_log__method").get(name=NAME)
            result.update(
                held_on=event.held_on.isoformat(),
                started_at=event.started_at.strftime("%H:%M"),
                participants=event.participants_label,
                log_method=event.contact_log.method.code,
                log_types=[t.code for t in event.contact_log.activity_types.all()],
            )

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    return result


def test_a_coordinator_records_a_meeting_with_the_keyboard(
    page, demo_site, screenshot, clean_events, django_db_blocker
):
    page.goto(f"{demo_site}/login/?next=/events/new/%3Fkind%3Dmeeting")
    page.keyboard.type("coordinator")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("会議を記録")

    # The first field has the focus; each field is reached with Tab.
    keyboard = page.keyboard
    expect(page.get_by_label("会議参加（関わり方）")).to_be_focused()
    keyboard.press("Control+A")
    keyboard.type("講師")
    keyboard.press("Tab")
    expect(page.get_by_label("会議名")).to_be_focused()
    keyboard.type(NAME)
    keyboard.press("Tab")
    expect(page.get_by_label("開催日")).to_be_focused()
    keyboard.press("Control+A")
    keyboard.type("R7.6.5")
    keyboard.press("Tab")
    expect(page.get_by_label("開始時刻")).to_be_focused()
    keyboard.type("1400")
    keyboard.press("Tab")
    expect(page.get_by_label("方法・会場")).to_be_focused()
    keyboard.type("対面・北区役所")
    keyboard.press("Tab")
    keyboard.type("災害時の医療的ケア児の支援体制")
    keyboard.press("Tab")
    keyboard.type("区内の支援機関")
    keyboard.press("Tab")
    expect(page.get_by_label("参加者数", exact=True)).to_be_focused()
    keyboard.type("30")
    keyboard.press("Tab")
    keyboard.type("30名程度")
    keyboard.press("Tab")
    expect(page.get_by_label("この会議を相談・支援・活動記録にも数える")).to_be_focused()
    keyboard.press("Space")
    screenshot("event-form")
    keyboard.press("Tab")
    keyboard.press("Tab")
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="保存")).to_be_focused()
    keyboard.press("Enter")

    expect(page.get_by_text(f"会議「{NAME}」を記録しました。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_text("相談・支援・活動記録にも数えています")).to_be_visible()
    assert saved_meeting(django_db_blocker) == {
        "held_on": "2025-06-05",
        "started_at": "14:00",
        "participants": "30名程度",
        "log_method": "meeting-other",
        "log_types": ["meeting-attendance"],
    }

    page.get_by_role("link", name="← 会議の一覧へ").click()
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text("6月5日")
    expect(row).to_contain_text("講師")
    expect(row).to_contain_text("30名程度")
    expect(row).to_contain_text("記録に計上")
    page.get_by_label("キーワード").fill("支援連絡会")
    page.get_by_label("キーワード").press("Enter")
    expect(page.locator("p[role=status]")).to_have_text("1件")
    screenshot("event-list")
