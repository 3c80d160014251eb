"""A consent withdrawn from the client's page flags its open referral; the つなぎ list finds it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coordination.clients.models import Client, Consent, ConsentMethod
from coordination.clients.services import consent_create
from coordination.referrals.models import Referral
from coordination.referrals.states import ReferralState
from demo.builders import DEMO_PASSWORD
from directory.models import ProviderCategory
from tests.coordination.client_factories import make_client

from .conftest import in_worker

pytestmark = pytest.mark.browser

CHILD, KANA = "戸田 結月", "トダ ユヅキ"
ORGANIZATION = "みなみ風訪問看護ステーション"


def _delete_everything_of_this_test():
    clients = list(Client.objects.filter(name=CHILD).values_list("pk", flat=True))
    Referral.objects.filter(client_id__in=clients).delete()
    consents = list(Consent.objects.filter(client_id__in=clients).values_list("pk", flat=True))
    Consent.objects.filter(pk__in=consents).delete()
    records = Consent.history.filter(id__in=consents)
    Consent.history.model.categories.model.objects.filter(history__in=records).delete()
    records.delete()
    Client.objects.filter(pk__in=clients).delete()
    Client.history.filter(id__in=clients).delete()


@pytest.fixture
def referral_under_consent(django_db_blocker):
    """A child of the demo office with a consent and a referral sent under it, waiting for an answer."""

    def make():
        with django_db_blocker.unblock():
            from accounts.models import Office, User

            _delete_everything_of_this_test()
            office = Office.objects.get(name="北区医療的ケア児等コーディネーター事業")
            coordinator = User.objects.get(username="coordinator")
            today = timezone.localdate()
            child = make_client(office, CHILD, KANA, has_medical_care=True, procedures=["ventilator"])
            consent = consent_create(
                client=child,
                recorded_by=coordinator,
                given_on=today - timedelta(days=30),
                categories=[ProviderCategory.objects.get(code="visiting-nurse")],
                given_by="母",
                method=ConsentMethod.WRITTEN,
            )
            Referral.objects.create(
                office=office,
                client=child,
                organization_name=ORGANIZATION,
                organization_category=ProviderCategory.objects.get(code="visiting-nurse"),
                purpose="退院後の訪問看護",
                coordinator=coordinator,
                created_by=coordinator,
                state=ReferralState.REQUESTED,
                state_changed_on=today - timedelta(days=10),
                requested_on=today - timedelta(days=10),
                answer_due_on=today - timedelta(days=3),
                consent=consent,
            )
            return child

    def delete():
        with django_db_blocker.unblock():
            _delete_everything_of_this_test()

    yield in_worker(make)
    in_worker(delete)


def test_a_withdrawn_consent_flags_its_open_referral_and_the_list_finds_it(
    page, demo_site, screenshot, referral_under_consent
):
    child = referral_under_consent
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    page.goto(f"{demo_site}/clients/{child.pk}/")
    consents = page.locator("section", has=page.get_by_role("heading", name="情報共有の同意"))
    expect(consents).to_contain_text("訪問看護ステーション")
    expect(consents).to_contain_text("有効")
    consents.get_by_role("link", name=re.compile("撤回を記録")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("情報共有の同意の撤回を記録")
    page.get_by_label(re.compile(r"^\s*撤回の内容")).fill("母から電話で撤回の申し出")
    page.get_by_role("button", name="撤回を記録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("撤回された情報共有の同意")
    flagged = page.locator("section", has=page.get_by_role("heading", name=re.compile("終わっていないつなぎ")))
    expect(flagged).to_contain_text("次の1件に「同意撤回」の印が付きました。")
    expect(flagged.get_by_role("link", name=ORGANIZATION)).to_be_visible()

    page.get_by_role("link", name=re.compile("さんのページへ")).click()
    expect(consents).to_contain_text("撤回")

    # A new consent, for a nursery and a visiting-nurse station, from the same section.
    consents.get_by_role("link", name="同意を記録する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("情報共有の同意を記録")
    page.get_by_label("保育園", exact=True).check()
    page.get_by_label("訪問看護ステーション", exact=True).check()
    page.get_by_label(re.compile(r"^\s*同意した方")).fill("母と父")
    page.get_by_label("口頭").check()
    screenshot("consent-form")
    page.get_by_role("button", name="同意を記録する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CHILD)
    expect(consents.locator("tbody tr").first).to_contain_text("訪問看護ステーション・保育園")
    expect(consents.locator("tbody tr").first).to_contain_text("有効")
    screenshot("client-consents")

    # The つなぎ menu: the list, narrowed to the referrals whose consent was withdrawn.
    page.get_by_role("navigation").get_by_role("link", name="つなぎ", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("つなぎの一覧")
    screenshot("referral-list", for_docs=True)
    page.get_by_label("同意が撤回されたもの（進行中）だけ").check()
    page.get_by_role("button", name="絞り込む").click()
    row = page.locator("tr", has=page.get_by_role("link", name=ORGANIZATION))
    expect(row).to_contain_text("同意撤回")
    expect(row).to_contain_text("期限切れ")
    row.get_by_role("link", name=CHILD).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CHILD)
