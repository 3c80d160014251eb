"""A supervisor picks a period, downloads the Excel, edits a text and finalizes the report."""

import re
import threading
import unicodedata

import pdfplumber
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from demo.builders import DEMO_PASSWORD
from reporting.models import QuarterlyReport, ReportVersion

pytestmark = pytest.mark.browser


@pytest.fixture
def clean_reports(django_db_blocker):
    """Browser tests commit for real: remove the drafts and versions this test makes."""
    yield

    def delete():
        with django_db_blocker.unblock():
            ReportVersion.objects.all().delete()
            QuarterlyReport.objects.all().delete()

    # Playwright's event loop runs in this thread, and Django refuses ORM calls from it.
    worker = threading.Thread(target=delete)
    worker.start()
    worker.join()


def sign_in(page, demo_site, username):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_a_supervisor_downloads_edits_and_finalizes(page, demo_site, screenshot, clean_reports, tmp_path):
    sign_in(page, demo_site, "supervisor")
    page.get_by_role("link", name="業務報告書").click()
    page.get_by_label("年度", exact=True).select_option(label="令和7年度")
    page.get_by_label("四半期", exact=True).select_option(label="第1～3四半期")
    page.get_by_role("button", name="表示").click()

    expect(
        page.get_by_role("heading", level=2, name="令和7年度 第1～3四半期（2025年4月1日～2025年12月31日）")
    ).to_be_visible()
    expect(page.locator(".report-figures")).to_contain_text("104 営業日")
    expect(page.locator(".report-figures")).to_contain_text("123回 / 459回")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    screenshot("report-draft")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel をダウンロード").click()
    download = download_info.value
    assert download.suggested_filename == "業務報告書_令和7年度_第1-3四半期.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    cells = [
        str(cell.value) for row in load_workbook(path).active.iter_rows() for cell in row if cell.value is not None
    ]
    assert any("104 営業日" in value for value in cells)

    page.get_by_role("link", name="文章を編集").click()
    page.get_by_label("開所日・時間の表記").fill("月・水・金 9:00～17:00（祝日・年末年始を除く）")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("下書きの文章を保存しました。")).to_be_visible()
    expect(page.locator(".report-schedule")).to_have_text("月・水・金 9:00～17:00（祝日・年末年始を除く）")

    page.get_by_role("button", name="この内容で確定する").click()
    expect(page.get_by_text("報告書を確定しました。")).to_be_visible()
    expect(page.get_by_text("確定済み 第1版")).to_be_visible()
    expect(page.get_by_role("button", name="新しい下書きを作成")).to_be_visible()
    screenshot("report-finalized")


def test_a_coordinator_sees_the_report_without_the_supervisor_buttons(page, demo_site):
    sign_in(page, demo_site, "coordinator")
    page.get_by_role("link", name="業務報告書").click()
    expect(page.get_by_role("link", name="PDF をダウンロード")).to_be_visible()
    expect(page.get_by_role("button", name="この内容で確定する")).to_have_count(0)
    expect(page.get_by_role("link", name="文章を編集")).to_have_count(0)


def test_printing_the_report_page_prints_the_report_alone_from_page_1(page, demo_site, tmp_path):
    sign_in(page, demo_site, "supervisor")
    page.goto(f"{demo_site}/reports/quarterly/?fiscal_year=2025&quarters=1-3")
    title = "業務報告書 ( 令和7年度 第1～3四半期：2025年4月1日～2025年12月31日現在 )"
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()

    # The charts box puts charts=on on the HTML and PDF links as soon as it is ticked.
    page.get_by_label("グラフを入れる（HTML・PDF）").check()
    expect(page.get_by_role("link", name="PDF をダウンロード")).to_have_attribute("href", re.compile(r"charts=on"))
    expect(page.get_by_role("link", name="Excel をダウンロード")).not_to_have_attribute(
        "href", re.compile(r"charts=on")
    )

    page.emulate_media(media="print")
    path = tmp_path / "printed.pdf"
    path.write_bytes(page.pdf(format="A4"))
    with pdfplumber.open(path) as pdf:
        pages = [plain(p.extract_text()) for p in pdf.pages]
    assert pages[0].startswith(plain(title)), pages[0][:80]
    assert pages[0].count("業務報告書") == 1  # one title: the page's own heading is not printed
    assert "1. 相談対象者 (実人数)" in pages[0]
    screen_only = ["ダウンロード", "表示", "前年同期と比べる", "グラフを入れる", "文章を編集", "確定する", "ログアウト"]
    for text in screen_only:
        assert not any(text in page_text for page_text in pages), text


def plain(text: str) -> str:
    """PDF text as typed: Chromium's PDF names some kanji by their radical form (⽉ for 月) and 〜 for ～."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).replace("〜", "~"))
