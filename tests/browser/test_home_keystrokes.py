"""From the home page to a saved phone call about an existing client, in few keystrokes (issue 14)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import in_worker
from .test_log_entry import clean_logs, sign_in_with_the_keyboard  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

# The most keystrokes besides the typed text the issue allows; docs/user-guide.md states the count measured.
MOST_KEYSTROKES = 25


class CountedKeyboard:
    """The page's keyboard, counting every key pressed (a chord such as Alt+N counts once); typed text is not counted."""

    def __init__(self, page):
        self.keyboard, self.count = page.keyboard, 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.keyboard.press(key)
            self.count += 1

    def type(self, text: str) -> None:
        self.keyboard.type(text)

    def access_key(self, page, letter: str) -> None:
        """Alt+letter as Chromium gets it from a real keyboard.

        Playwright's `press("Alt+n")` sends a key down without its character, which Chromium does
        not take for an access key; DevTools' input events carry it as a keyboard does.
        """
        cdp = page.context.new_cdp_session(page)
        event = {
            "modifiers": 1,  # Alt
            "key": letter,
            "code": f"Key{letter.upper()}",
            "windowsVirtualKeyCode": ord(letter.upper()),
            "unmodifiedText": letter,
        }
        cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", **event})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **event})
        cdp.detach()
        self.count += 1


def test_a_phone_call_about_an_existing_client_is_logged_from_home_in_at_most_25_keystrokes(
    page,
    demo_site,
    screenshot,
    clean_logs,  # noqa: F811
):
    page.goto(f"{demo_site}/")
    sign_in_with_the_keyboard(page)
    expect(page.get_by_role("link", name="記録を入力")).to_have_attribute("accesskey", "n")
    screenshot("home-coordinator", for_docs=True)
    keys = CountedKeyboard(page)

    # The access key: Alt+N in Chromium on Windows and Linux opens the log form, the client picker focused.
    keys.access_key(page, "n")
    expect(page).to_have_url(f"{demo_site}/logs/new/")
    page.wait_for_load_state("load")
    client_picker = page.get_by_role("combobox", name="相談対象者")
    expect(client_picker).to_be_focused()

    # The client by a few letters of the name; the date and start time are already filled in.
    keys.type("あおやま")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text("青山 颯")
    keys.press("ArrowDown")
    keys.press("Enter")
    expect(client_picker).to_have_value("青山 颯（アオヤマ ハヤテ）")

    # 電話 is the first method.
    keys.press("Tab")
    keys.press("ArrowDown")
    expect(page.locator("#id_method option:checked")).to_have_text("電話")

    # The mother called.
    keys.press("Tab")
    keys.press("ArrowDown", times=3)
    expect(page.locator("#id_counterparts-0-category option:checked")).to_have_text("当事者 ▸ 親 ▸ 母")

    # Past the organization, the row's remove button and 相手先を追加, to the activity types' filter.
    keys.press("Tab", times=4)
    expect(page.get_by_label("種別を絞り込む")).to_be_focused()
    keys.type("傾聴")
    keys.press("Tab")
    keys.press("Space")
    expect(page.get_by_label("生活上の相談・不安の傾聴")).to_be_checked()

    # On to the summary; Enter in a text field saves.
    keys.press("Tab")
    expect(page.get_by_label("報告書用の要約（一行）")).to_be_focused()
    keys.press("Enter")

    expect(page).to_have_url(re.compile(r"/logs/\d+/$"))
    expect(page.get_by_role("status").filter(has_text="記録を保存しました")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("青山 颯")
    expect(facts).to_contain_text("電話")
    expect(facts).to_contain_text("生活上の相談・不安の傾聴")
    print(f"keystrokes from home to saved: {keys.count}")
    assert keys.count <= MOST_KEYSTROKES
    assert keys.count == 17  # the count docs/user-guide.md states


@pytest.fixture
def an_open_follow_up(django_db_blocker):
    """The coordinator's first follow-up due on the home page; put back as it was afterwards (browser tests commit)."""
    from coordination.followups.models import FollowUp

    def first():
        with django_db_blocker.unblock():
            follow_up = (
                FollowUp.objects.open()
                .filter(assignee__username="coordinator", due_on__isnull=False)
                .order_by("due_on", "id")
            ).first()
            last_history = FollowUp.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
            return follow_up, last_history

    follow_up, last_history = in_worker(first)
    yield follow_up

    def put_back():
        with django_db_blocker.unblock():
            FollowUp.objects.filter(pk=follow_up.pk).update(done_on=None, outcome="", version=follow_up.version)
            FollowUp.history.filter(history_id__gt=last_history).delete()

    in_worker(put_back)


def test_a_follow_up_is_closed_in_place_on_the_home_page(page, demo_site, an_open_follow_up):
    page.goto(f"{demo_site}/")
    sign_in_with_the_keyboard(page)
    row = page.locator("tr[data-follow-up-row]").filter(has=page.locator(f"#outcome-{an_open_follow_up.pk}"))
    expect(row.get_by_role("link", name=an_open_follow_up.action)).to_be_visible()
    row.get_by_label(re.compile("結果")).fill("先方に確認し、折り返し連絡した")
    row.get_by_role("button", name="完了").click()
    expect(page.get_by_role("status").filter(has_text="を完了にしました")).to_be_visible()
    expect(page).to_have_url(f"{demo_site}/")
    page.reload()
    expect(page.locator(f"#outcome-{an_open_follow_up.pk}")).to_have_count(0)
