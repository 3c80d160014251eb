"""つなぎ in the browser: from a child on a ventilator to a provider that accepts it, stopped by the consent
gate, consent recorded, sent, accepted by phone in one step with a follow-up; and a supervisor's override."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AccessEvent, Action
from coordination.clients.models import Client, Consent, Guardian
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog, Counterpart
from coordination.referrals.models import Referral, ReferralStep
from coordination.referrals.services import referral_create
from coordination.referrals.states import ReferralState
from demo.builders import DEMO_PASSWORD
from directory.models import Provider, ProviderCategory, ProviderProcedure
from tests.coordination.client_factories import make_client, make_guardian
from tests.directory.factories import ACCEPTED, make_provider

from .conftest import in_worker

pytestmark = pytest.mark.browser

CHILD, KANA = "繋 結衣", "ツナギ ユイ"
PROVIDER = "あいうえ相談室"
OVERRIDE_REASON = "退院が迫っており、書面の同意は来週の面談で取り交わす"


def _delete_everything_of_this_test():
    clients = list(Client.objects.filter(name=CHILD).values_list("pk", flat=True))
    referrals = list(Referral.objects.filter(client_id__in=clients).values_list("pk", flat=True))
    logs = list(ContactLog.objects.filter(client_id__in=clients).values_list("pk", flat=True))
    FollowUp.objects.filter(client_id__in=clients).delete()
    FollowUp.history.filter(client_id__in=clients).delete()
    ReferralStep.objects.filter(referral_id__in=referrals).delete()
    Referral.objects.filter(pk__in=referrals).delete()
    records = Referral.history.filter(id__in=referrals)
    Referral.history.model.procedures.model.objects.filter(history__in=records).delete()
    records.delete()
    ContactLog.objects.filter(pk__in=logs).delete()
    records = ContactLog.history.filter(id__in=logs)
    ContactLog.history.model.activity_types.model.objects.filter(history__in=records).delete()
    records.delete()
    Counterpart.history.filter(contact_log_id__in=logs).delete()
    consents = list(Consent.objects.filter(client_id__in=clients).values_list("pk", flat=True))
    Consent.objects.filter(pk__in=consents).delete()
    records = Consent.history.filter(id__in=consents)
    Consent.history.model.categories.model.objects.filter(history__in=records).delete()
    records.delete()
    Guardian.objects.filter(client_id__in=clients).delete()
    Guardian.history.filter(client_id__in=clients).delete()
    Client.objects.filter(pk__in=clients).delete()
    Client.history.filter(id__in=clients).delete()
    providers = list(Provider.objects.filter(name=PROVIDER).values_list("pk", flat=True))
    ProviderProcedure.objects.filter(provider_id__in=providers).delete()
    Provider.objects.filter(pk__in=providers).delete()
    Provider.history.filter(id__in=providers).delete()


@pytest.fixture
def child_on_a_ventilator(django_db_blocker):
    """A child of the demo office on a ventilator, without consents, and a provider that accepts the care."""

    def make():
        with django_db_blocker.unblock():
            _delete_everything_of_this_test()
            from accounts.models import Office

            office = Office.objects.get(name="北区医療的ケア児等コーディネーター事業")
            child = make_client(
                office,
                CHILD,
                KANA,
                birth_date=date(timezone.localdate().year - 3, 1, 1),
                has_medical_care=True,
                procedures=["ventilator"],
            )
            make_guardian(child, name="繋 真央", phone="03-5555-0101", is_primary=True)
            # The first kind and name in the directory's order: listed among the first providers shown.
            provider = make_provider(
                PROVIDER,
                name_kana="アアア",
                category=ProviderCategory.objects.order_by("position").first(),
                acceptances={"ventilator": ACCEPTED},
            )
            return child, provider

    def delete():
        with django_db_blocker.unblock():
            _delete_everything_of_this_test()

    yield in_worker(make)
    in_worker(delete)


def sign_in(page, demo_site, username: str):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def start_referral(page, demo_site, child, provider):
    """From the child's page: the providers that accept the care, then a referral to one of them."""
    page.goto(f"{demo_site}/clients/{child.pk}/")
    accepting = page.locator("section", has=page.get_by_role("heading", name="この子の医療的ケアを受け入れる機関"))
    accepting.get_by_role("link", name=PROVIDER, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER)
    page.go_back()
    accepting.get_by_role("link", name=re.compile(rf"この機関へつなぐ\s*（{PROVIDER}）")).click()
    form = page.locator("form.referral-form")
    # The client picker (a search box) shows the child; the form sends the child's id.
    expect(form.get_by_role("combobox", name=re.compile(r"^\s*相談対象者"))).to_have_value(
        re.compile(rf"^{re.escape(CHILD)}")
    )
    expect(form.locator("input[type=hidden][name=client]")).to_have_value(str(child.pk))
    # So does the provider picker (a search box too: the directory may hold tens of thousands), with its kind.
    expect(form.get_by_role("combobox", name=re.compile(r"^\s*つなぎ先（ディレクトリから選ぶ）"))).to_have_value(
        f"{PROVIDER}（{provider.category.name}）"
    )
    expect(form.locator("input[type=hidden][name=provider]")).to_have_value(str(provider.pk))
    form.get_by_label(re.compile(r"^\s*目的")).fill("退院後の訪問看護の利用に向けて")
    form.get_by_label("保護者の連絡先").check()
    form.get_by_label("医療的ケアの内容", exact=True).check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"つなぎ：{CHILD} → {PROVIDER}")


def test_a_coordinator_refers_a_child_stopped_by_the_consent_gate_until_consent_is_recorded(
    page, demo_site, screenshot, child_on_a_ventilator
):
    child, provider = child_on_a_ventilator
    sign_in(page, demo_site, "coordinator")
    start_referral(page, demo_site, child, provider)
    expect(page.locator(".lead")).to_contain_text("準備中")
    referral_url = page.url

    # Sending it: stopped, because no consent covers a visiting-nurse station today.
    page.get_by_role("link", name="依頼した（送付）").click()
    page.get_by_label("記録しない（すでに別に記録した、または連絡ではない）").check()
    page.get_by_role("button", name="依頼した（送付）として記録").click()
    expect(page.get_by_role("alert")).to_contain_text("時点で有効な同意の記録がありません")

    # The page says how to record it: the consent form, with the kind ticked, then back here.
    page.get_by_role("link", name=re.compile("を含む同意を記録する")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("情報共有の同意を記録")
    expect(page.get_by_label(provider.category.name, exact=True)).to_be_checked()
    today = timezone.localdate()
    page.get_by_label(re.compile(r"^\s*同意日")).fill(f"{today.year}/{today.month}/{today.day}")
    page.get_by_label(re.compile(r"^\s*同意した方")).fill("母")
    page.get_by_role("button", name="同意を記録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("依頼した（送付）")

    page.get_by_label("記録しない（すでに別に記録した、または連絡ではない）").check()
    page.get_by_role("button", name="依頼した（送付）として記録").click()
    expect(page.locator(".lead")).to_contain_text("依頼済")
    expect(page.locator("pre.snapshot")).to_contain_text("03-5555-0101")

    # The provider answers by phone: the acceptance and its contact log in one step, with a follow-up.
    page.get_by_role("link", name="受理の回答を受けた").click()
    expect(page.get_by_label("この連絡を記録に残す（相談・支援・活動記録を作る）")).to_be_checked()
    # Only the fields of the choice show: a new log's, or the log to link.
    expect(page.get_by_label(re.compile(r"^\s*紐づける記録"))).to_be_hidden()
    page.get_by_label("既存の記録に紐づける").check()
    expect(page.get_by_label(re.compile(r"^\s*紐づける記録"))).to_be_visible()
    expect(page.get_by_label(re.compile(r"^\s*方法"))).to_be_hidden()
    page.get_by_label("この連絡を記録に残す（相談・支援・活動記録を作る）").check()
    page.get_by_label(re.compile(r"^\s*方法")).select_option(label="電話")
    page.get_by_label(re.compile(r"^\s*開始時刻")).fill("10:00")
    page.get_by_label(re.compile(r"^\s*所要時間")).fill("10")
    page.get_by_label(re.compile(r"^\s*次の対応$")).fill("初回訪問の日程を家族と調整")
    page.get_by_label(re.compile(r"^\s*次の対応の期限")).fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="受理の回答を受けたとして記録").click()
    assert page.url == referral_url
    expect(page.locator(".lead")).to_contain_text("受理")
    expect(page.get_by_role("link", name=re.compile("連絡の記録を開く"))).to_have_count(1)
    expect(page.locator("section", has=page.get_by_role("heading", name="次の対応"))).to_contain_text(
        "初回訪問の日程を家族と調整"
    )
    screenshot("referral-page", for_docs=True)

    def saved():
        referral = Referral.objects.get(client_id=child.pk)
        logs = list(ContactLog.objects.filter(client_id=child.pk))
        follow_ups = list(FollowUp.objects.filter(referral=referral).values_list("action", "done_on"))
        return referral.state, referral.consent_id is not None, len(logs), follow_ups

    assert in_worker(saved) == (ReferralState.ACCEPTED, True, 1, [("初回訪問の日程を家族と調整", None)])

    # The follow-up is due within the week: it waits on the home page, and is closed there in place.
    page.goto(f"{demo_site}/")
    row = page.locator("tr[data-follow-up-row]").filter(has_text="初回訪問の日程を家族と調整")
    expect(row.get_by_role("link", name="つなぎ：" + PROVIDER)).to_have_count(1)
    row.get_by_role("textbox").fill("12月10日に訪問と決まった")
    row.get_by_role("button", name="完了").click()
    expect(page.get_by_role("status").filter(has_text="を完了にしました")).to_be_visible()
    expect(row.get_by_role("textbox")).to_have_count(0)
    page.reload()
    expect(page.locator("tr[data-follow-up-row]").filter(has_text="初回訪問の日程を家族と調整")).to_have_count(0)
    follow_ups = in_worker(lambda: saved()[3])
    assert follow_ups == [("初回訪問の日程を家族と調整", timezone.localdate())]
    # Done, it stays on the child's timeline with its outcome.
    page.goto(f"{demo_site}/clients/{child.pk}/")
    expect(page.locator(".timeline__item--follow-up").filter(has_text="初回訪問の日程を家族と調整")).to_contain_text(
        "12月10日に訪問と決まった"
    )


def test_a_supervisor_overrides_the_consent_gate_with_a_reason(page, demo_site, child_on_a_ventilator):
    child, provider = child_on_a_ventilator

    def draft():
        from accounts.models import User

        coordinator = User.objects.get(username="coordinator")
        return referral_create(
            office=child.office,
            created_by=coordinator,
            client=child,
            provider=provider,
            purpose="短期入所の受け入れ調整",
            coordinator=coordinator,
        ).pk

    referral_pk = in_worker(draft)
    sign_in(page, demo_site, "supervisor")
    page.goto(f"{demo_site}/referrals/{referral_pk}/")
    expect(page.locator("#consent-gate")).to_contain_text("有効な同意の記録がありません")
    page.get_by_role("link", name="管理者として例外を認める（理由を記録）").click()
    page.get_by_label(re.compile(r"^\s*例外を認める理由")).fill(OVERRIDE_REASON)
    page.get_by_role("button", name="例外を認める").click()

    expect(page.locator(".override")).to_contain_text(OVERRIDE_REASON)
    history = page.locator("section", has=page.get_by_role("heading", name="変更履歴"))
    expect(history).to_contain_text(OVERRIDE_REASON)

    def logged():
        return list(
            AccessEvent.objects.filter(url_name="referral_override", method="POST").values_list(
                "action", "object_ids", "username"
            )
        )

    assert (Action.CONSENT_OVERRIDE, {"pk": referral_pk}, "supervisor") in in_worker(logged)


def test_a_coordinator_finds_the_provider_by_typing_its_kana(page, demo_site, child_on_a_ventilator):
    child, provider = child_on_a_ventilator
    sign_in(page, demo_site, "coordinator")
    page.goto(f"{demo_site}/referrals/new/?client={child.pk}")
    form = page.locator("form.referral-form")
    picker = form.get_by_role("combobox", name=re.compile(r"^\s*つなぎ先（ディレクトリから選ぶ）"))
    picker.fill("あああ")  # the フリガナ in hiragana
    option = page.get_by_role("option", name=re.compile(rf"^{re.escape(PROVIDER)}（"))
    expect(option).to_be_visible()
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(picker).to_have_value(f"{PROVIDER}（{provider.category.name}）")
    expect(form.locator("input[type=hidden][name=provider]")).to_have_value(str(provider.pk))
    form.get_by_label(re.compile(r"^\s*目的")).fill("受け入れの相談")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"つなぎ：{CHILD} → {PROVIDER}")
