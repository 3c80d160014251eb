"""Issue 19: a coordinator sends a stale provider its one-time link; the provider, not signed in, changes
人工呼吸器 from 不可 to 条件付き and confirms; the coordinator accepts it and the entry leaves the re-verify list."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from demo.builders import DEMO_PASSWORD

from .conftest import DOCS_IMAGES, in_worker

pytestmark = pytest.mark.browser

PROVIDER = "ゼットみどり訪問看護ステーション"
EMAIL = "midori@zet-houmon.example.jp"


@pytest.fixture
def stale_provider(django_db_blocker):
    """A provider last checked 500 days ago, with an e-mail address and 人工呼吸器 不可; deleted afterwards."""

    def delete():
        with django_db_blocker.unblock():
            from directory.models import Provider

            ids = list(Provider.objects.filter(name=PROVIDER).values_list("pk", flat=True))
            Provider.history.filter(id__in=ids).delete()
            Provider.objects.filter(pk__in=ids).delete()  # its matrix, links and proposals go with it

    def create():
        with django_db_blocker.unblock():
            from directory.models import Acceptance, ProviderCategory
            from tests.directory.factories import make_provider

            return make_provider(
                PROVIDER,
                name_kana="ゼットミドリホウモンカンゴステーション",
                category=ProviderCategory.objects.get(code="visiting-nurse"),
                postal_code="115-0045",
                municipality="北区",
                address="東京都北区赤羽2-3-4",
                phone="03-5900-1234",
                email=EMAIL,
                opening_hours="月～金 9:00～17:00",
                internal_note="内部メモ：所長と連絡がつきにくい",
                verified_on=timezone.localdate() - timedelta(days=500),
                acceptances={
                    "ventilator": Acceptance.REFUSED,
                    "suction": Acceptance.ACCEPTED,
                    "tube-feeding": Acceptance.ACCEPTED,
                },
            ).pk

    in_worker(delete)
    yield in_worker(create)
    in_worker(delete)


def sign_in(page, site, username):
    page.goto(f"{site}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_a_provider_corrects_its_entry_through_its_link_and_the_coordinator_accepts_it(
    page, browser, demo_site, stale_provider, screenshot
):
    # The coordinator finds the stale entry on the re-verify list and sends it a link from its page.
    sign_in(page, demo_site, "coordinator")
    page.goto(f"{demo_site}/directory/reverify/")
    expect(page.get_by_role("link", name="確認依頼を一括送信")).to_be_visible()
    page.get_by_role("link", name=PROVIDER, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER)
    sent_before = len(mail.outbox)
    page.get_by_role("button", name="確認依頼を送る").click()
    expect(page.get_by_role("status").filter(has_text="確認依頼のリンクを送りました")).to_contain_text(EMAIL)
    assert len(mail.outbox) == sent_before + 1
    message = mail.outbox[-1]
    assert message.to == [EMAIL]
    link = re.search(r"https?://\S+/directory/link/\S+/", message.body).group(0)
    page.goto(f"{demo_site}/directory/reverify/")
    row = page.locator("table.directory-table tbody tr", has=page.get_by_role("link", name=PROVIDER, exact=True))
    expect(row).to_contain_text("リンク送信済み")

    # The provider opens the e-mail's link in its own browser, without an account.
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900})
    provider_page = context.new_page()
    provider_page.set_default_timeout(15_000)
    violations = []
    provider_page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    try:
        provider_page.goto(link)
        assert "/directory/link/" in provider_page.url and link not in provider_page.url  # the secret left the URL
        expect(provider_page.get_by_role("heading", level=1)).to_contain_text("掲載内容の確認")
        expect(provider_page.get_by_label("電話")).to_have_value("03-5900-1234")
        expect(provider_page.get_by_text("内部メモ")).to_have_count(0)
        expect(provider_page.get_by_role("button", name="ログアウト")).to_have_count(0)
        ventilator = provider_page.get_by_label("人工呼吸器", exact=True)
        expect(ventilator).to_have_value("refused")
        screenshot("provider-link-page", for_docs=True, of=provider_page, folder=DOCS_IMAGES)
        ventilator.select_option(label="条件付き")
        provider_page.get_by_label("人工呼吸器の条件・備考").fill("看護師2名の日のみ")
        provider_page.get_by_role("button", name="この内容で確認する").click()
        expect(provider_page.get_by_role("heading", level=1)).to_have_text("ご確認ありがとうございました")
        expect(provider_page.get_by_text("直していただいた箇所を受け付けました")).to_be_visible()
        screenshot("provider-link-done", for_docs=True, of=provider_page, folder=DOCS_IMAGES)
        # The link works once.
        provider_page.goto(link)
        expect(provider_page.get_by_role("heading", level=1)).to_have_text("このリンクは使えません")
        expect(provider_page.get_by_text("すでに使われています")).to_be_visible()
    finally:
        context.close()
    assert not violations, violations

    # The coordinator sees the proposal waiting, accepts it, and the entry leaves the list.
    page.goto(f"{demo_site}/directory/reverify/")
    row = page.locator("table.directory-table tbody tr", has=page.get_by_role("link", name=PROVIDER, exact=True))
    expect(row).to_contain_text("提案あり")
    row.get_by_role("link", name=re.compile("変更の提案を確認する")).click()
    change = page.locator(
        "table.proposal-table tbody tr", has=page.get_by_role("rowheader", name=re.compile("人工呼吸器"))
    )
    expect(change).to_contain_text("不可")
    expect(change).to_contain_text("条件付き（看護師2名の日のみ）")
    screenshot("provider-link-proposal", for_docs=True, folder=DOCS_IMAGES)
    change.get_by_label("反映する").check()
    page.get_by_role("button", name="判断を保存する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER)
    expect(page.get_by_text("事業所が確認").first).to_be_visible()
    matrix_row = page.locator("table.acceptance-table tr", has=page.get_by_role("rowheader", name="人工呼吸器"))
    expect(matrix_row.locator(".acceptance")).to_have_text("条件付き")
    page.goto(f"{demo_site}/directory/reverify/")
    expect(page.get_by_role("heading", level=1, name="再確認が必要な機関・事業所")).to_be_visible()
    expect(page.get_by_role("link", name=PROVIDER, exact=True)).to_have_count(0)
