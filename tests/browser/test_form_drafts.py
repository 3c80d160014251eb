"""Long forms keep a browser draft: typed text survives a reload, and a save forgets it."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from coordination.clients.models import Client
from coordination.events.models import Event
from coordination.logs.models import ContactLog
from coordination.referrals.models import Referral, ReferralStep
from demo.builders import DEMO_PASSWORD
from directory.models import Provider

from .conftest import in_worker

pytestmark = pytest.mark.browser

NAME = "下書きテスト用の名前"


@pytest.fixture
def clean_saved(django_db_blocker):
    """Browser tests commit for real: remove what these tests save, with its history."""

    def delete():
        with django_db_blocker.unblock():
            clients = list(Client.objects.filter(name=NAME).values_list("pk", flat=True))
            Client.objects.filter(pk__in=clients).delete()
            Client.history.filter(id__in=clients).delete()
            events = Event.objects.filter(name=NAME)
            logs = [pk for pk in events.values_list("contact_log_id", flat=True) if pk]
            event_pks = list(events.values_list("pk", flat=True))
            events.delete()
            Event.history.filter(id__in=event_pks).delete()
            ContactLog.objects.filter(pk__in=logs).delete()
            providers = list(Provider.objects.filter(name=NAME).values_list("pk", flat=True))
            Provider.objects.filter(pk__in=providers).delete()
            Provider.history.filter(id__in=providers).delete()
            referrals = list(Referral.objects.filter(purpose=NAME).values_list("pk", flat=True))
            ReferralStep.objects.filter(referral_id__in=referrals).delete()
            Referral.objects.filter(pk__in=referrals).delete()
            records = Referral.history.filter(id__in=referrals)
            Referral.history.model.procedures.model.objects.filter(history__in=records).delete()
            records.delete()

    in_worker(delete)
    yield
    in_worker(delete)


def fill_client(page):
    page.get_by_label("フリガナ").fill("したがき てすと")


def fill_event(page):
    page.get_by_label("参加者数", exact=True).fill("12")


def fill_provider(page):
    page.get_by_label("種別").select_option(index=1)


def fill_referral(page):
    # The provider picker searches the directory as the user types.
    picker = page.get_by_role("combobox", name=re.compile(r"^\s*つなぎ先（ディレクトリから選ぶ）"))
    picker.fill("あおば")
    expect(page.get_by_role("option").first).to_be_visible()
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(page.locator("input[type=hidden][name=provider]")).not_to_have_value("")


@pytest.fixture
def demo_client(django_db_blocker) -> int:
    """A client of the demo coordinator's office, for the URLs that start from one (`{client}`)."""

    def first():
        with django_db_blocker.unblock():
            office = User.objects.get(username="coordinator").office
            return Client.objects.for_office(office).order_by("pk").values_list("pk", flat=True).first()

    return in_worker(first)


FORMS = [
    pytest.param("/clients/new/", "氏名", "client:new", fill_client, f"{NAME} さんの情報を保存しました。", id="client"),
    pytest.param(
        "/events/new/?kind=meeting",
        "会議名",
        "event-meeting:new",
        fill_event,
        f"会議「{NAME}」を記録しました。",
        id="event",
    ),
    pytest.param(
        "/directory/new/", "名称", "provider:new", fill_provider, f"{NAME} の情報を保存しました。", id="provider"
    ),
    pytest.param(
        "/referrals/new/?client={client}",
        "目的",
        "referral:new",
        fill_referral,
        "を準備中として保存しました。",
        id="referral",
    ),
]


def draft_keys(page, name: str) -> list[str]:
    return page.evaluate(
        f"Object.keys(localStorage).filter(k => k.startsWith('tsunagu:draft:') && k.endsWith(':{name}'))"
    )


@pytest.mark.parametrize(("url", "label", "draft", "fill_rest", "saved"), FORMS)
def test_a_long_form_keeps_a_draft_until_it_is_saved(
    page, demo_site, clean_saved, demo_client, url, label, draft, fill_rest, saved
):
    url = url.format(client=demo_client)
    page.goto(f"{demo_site}/login/?next={url.replace('?', '%3F').replace('=', '%3D')}")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_label("パスワード").press("Enter")
    field = page.locator("form[data-form-draft]").get_by_label(label, exact=False).first
    expect(field).to_be_visible()
    expect(page.get_by_text("入力途中の内容を復元しました")).to_be_hidden()

    field.fill(NAME)
    # The draft is kept a moment after typing stops.
    page.wait_for_function(
        f"() => Object.keys(localStorage).some(k => k.endsWith(':{draft}') && localStorage.getItem(k).includes('{NAME}'))"
    )
    stored = page.evaluate(
        f"JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':{draft}'))))"
    )
    assert "csrfmiddlewaretoken" not in stored["fields"] and "version" not in stored["fields"]

    page.reload()
    expect(page.get_by_text("入力途中の内容を復元しました")).to_be_visible()
    expect(field).to_have_value(NAME)

    fill_rest(page)
    page.locator("form[data-form-draft]").get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text(saved)).to_be_visible()
    assert draft_keys(page, draft) == []

    page.goto(f"{demo_site}{url}")
    expect(field).to_have_value("")
    expect(page.get_by_text("入力途中の内容を復元しました")).to_be_hidden()


def test_discarding_a_restored_draft_empties_the_form_again(page, demo_site):
    page.goto(f"{demo_site}/login/?next=/clients/new/")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_label("パスワード").press("Enter")
    notes = page.get_by_label("メモ（要配慮）")
    notes.fill("母から相談（下書き）")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.endsWith(':client:new'))")
    page.reload()
    expect(notes).to_have_value("母から相談（下書き）")
    page.get_by_role("button", name="破棄").click()
    expect(notes).to_have_value("")
    expect(page.get_by_text("入力途中の内容を復元しました")).to_be_hidden()
    assert draft_keys(page, "client:new") == []
