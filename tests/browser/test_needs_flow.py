"""A need found in casework, from the first log to the council: a coordinator records it from a log,
a second family's log adds to it, the supervisor raises it at a meeting and downloads the 課題解決状況."""

import re
import unicodedata

import pdfplumber
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coordination.events.models import Event
from coordination.fiscal import fiscal_year_of
from coordination.logs.models import ContactLog
from coordination.needs.models import Need
from demo.builders import DEMO_PASSWORD
from tests.browser.conftest import in_worker

pytestmark = pytest.mark.browser

TITLE = "夜間に使える一時預かりがない"
MEETING = ("北区自立支援協議会", "2025-12-08")  # one of the seed's §6 meetings


@pytest.fixture
def two_logs(django_db_blocker):
    """Two logs of the demo office about two different families (the latest of FY2025 Q3), their
    clients' names, and the meeting; the need the test records is deleted afterwards (browser tests commit)."""

    def read():
        with django_db_blocker.unblock():
            office_logs = (
                ContactLog.objects.filter(office__name="北区医療的ケア児等コーディネーター事業", client__isnull=False)
                .select_related("client")
                .order_by("-occurred_on", "-pk")
            )
            first = office_logs[0]
            second = office_logs.exclude(client=first.client)[0]
            meeting = Event.objects.get(office=first.office, name=MEETING[0], held_on=MEETING[1])
            return first.pk, second.pk, [first.client.name, second.client.name], str(meeting)

    logs = in_worker(read)
    yield logs

    def delete():
        with django_db_blocker.unblock():
            Need.objects.filter(title=TITLE).delete()

    in_worker(delete)


def sign_in(page, demo_site, username):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


def plain(text: str) -> str:
    """PDF text as typed: NFKC (Chromium's PDFs name some kanji by their radical form), spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_a_need_goes_from_two_families_logs_to_a_meeting_and_the_council_report(
    page, demo_site, screenshot, two_logs, tmp_path
):
    first_log, second_log, client_names, meeting = two_logs

    # The coordinator records the need from the first log.
    sign_in(page, demo_site, "coordinator")
    page.goto(f"{demo_site}/logs/{first_log}/")
    page.get_by_role("link", name="ニーズ・課題として記録").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ニーズ・課題を記録")
    page.get_by_label(re.compile(r"^件名")).fill(TITLE)
    page.get_by_label(re.compile(r"^分類")).select_option(label="レスパイト")
    page.get_by_label("内容", exact=True).fill("夜間の吸引が続く家庭で、夜間に預けられる先がなく、保護者が休めない。")
    page.get_by_label("未就学児").check()
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"ニーズ・課題：{TITLE}")
    expect(page.get_by_text(f"ニーズ・課題「{TITLE}」を記録しました。")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("1家族")
    need_url = page.url

    # A second family's log: the same need, found again.
    page.goto(f"{demo_site}/logs/{second_log}/")
    page.get_by_role("link", name="ニーズ・課題として記録").click()
    page.get_by_label("追加するニーズ・課題").select_option(label=TITLE)
    page.get_by_role("button", name="この記録を追加").click()

    expect(page.get_by_text(f"記録をニーズ・課題「{TITLE}」に追加しました。")).to_be_visible()
    expect(facts).to_contain_text("2家族")
    expect(page.get_by_role("heading", name="把握した記録（2件）")).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()

    # The supervisor raises it at a meeting, with a dated note.
    sign_in(page, demo_site, "supervisor")
    page.goto(need_url)
    page.get_by_label(re.compile(r"^状態")).select_option(label="会議体へ提起")
    expect(page.get_by_label(re.compile(r"^日付"))).not_to_have_value("")  # today, as the form offers
    page.get_by_label("提起した会議（会議体へ提起のとき）").select_option(label=meeting)
    page.get_by_role("textbox", name="経過", exact=True).fill(
        "自立支援協議会で、夜間の預かり先がない家庭の状況を報告した。"
    )
    page.get_by_role("button", name="経過を記録").click()

    expect(page.get_by_text("経過を記録しました（会議体へ提起）。")).to_be_visible()
    expect(page.locator(".lead .need-status")).to_have_text("会議体へ提起")
    expect(facts).to_contain_text("2025年12月8日 北区自立支援協議会")
    expect(page.locator(".timeline")).to_contain_text("自立支援協議会で、夜間の預かり先がない家庭の状況を報告した。")
    screenshot("need-page", for_docs=True)

    # The council report 課題解決状況 of this fiscal year: the need, two families shown as 「3未満」, no name.
    # (The report's page is the lead's, on main: /reports/<kind>/ and its downloads.)
    fiscal_year = fiscal_year_of(timezone.localdate())
    page.goto(f"{demo_site}/reports/needs/?fiscal_year={fiscal_year}&quarters=1-4")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").first.click()
    path = tmp_path / "needs.pdf"
    download_info.value.save_as(path)
    with pdfplumber.open(path) as pdf:
        text = plain("".join(p.extract_text() or "" for p in pdf.pages))
        # Table cells wrap: a row's cells, each read whole.
        rows = [[plain(cell or "") for cell in row] for p in pdf.pages for table in p.extract_tables() for row in table]
    row = next(row for row in rows if plain(TITLE) in row)
    assert "3未満" in row  # two families
    assert any("北区自立支援協議会" in cell for cell in row)
    for name in client_names:
        assert plain(name) not in text and plain(name.split()[0]) not in text
