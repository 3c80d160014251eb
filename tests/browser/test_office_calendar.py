"""A supervisor closes an open day on the calendar of 営業日, and the report counts one day less."""

from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import OfficeCalendarDay

from .conftest import in_worker
from .test_report import sign_in

pytestmark = pytest.mark.browser

CLOSED_DAY = date(2025, 11, 12)


@pytest.fixture
def restore_calendar(django_db_blocker):
    """Browser tests commit: take the closure (and its history) off again."""
    yield

    def delete():
        with django_db_blocker.unblock():
            OfficeCalendarDay.objects.filter(date=CLOSED_DAY).delete()
            OfficeCalendarDay.history.filter(date=CLOSED_DAY).delete()

    in_worker(delete)


def report_business_days(page, demo_site):
    page.goto(f"{demo_site}/reports/quarterly/?fiscal_year=2025&quarters=1-3")
    return page.locator(".report-figures li").first


def test_a_supervisor_adds_a_closure_day_and_the_report_counts_one_day_less(
    page, demo_site, screenshot, restore_calendar
):
    sign_in(page, demo_site, "supervisor")
    expect(report_business_days(page, demo_site)).to_have_text("104 営業日")

    page.goto(f"{demo_site}/settings/office/calendar/?month=2025-11")
    expect(page.get_by_role("heading", level=2, name="2025年11月")).to_be_visible()
    counts = page.locator(".figures")
    expect(counts).to_contain_text("令和7年度 第1～3四半期（4月1日～12月31日）104 日")
    expect(page.get_by_role("button", name="2025年11月24日（月） 祝日（勤労感謝の日 振替休日）")).to_be_visible()

    page.get_by_label("理由（任意）").fill("職員研修のため休業")
    page.get_by_role("button", name="2025年11月12日（水） 営業日：クリックで休業日にする").click()

    expect(page.get_by_role("status")).to_have_text("2025年11月12日（水）を休業日にしました。")
    day = page.get_by_role(
        "button", name="2025年11月12日（水） 休業日（職員研修のため休業）：クリックで休業日を取り消す"
    )
    expect(day).to_be_visible()
    expect(counts).to_contain_text("令和7年度 第1～3四半期（4月1日～12月31日）103 日")
    expect(page.get_by_role("region", name="変更履歴")).to_contain_text("2025年11月12日（水）の休業日")
    screenshot("office-calendar", for_docs=True)

    expect(report_business_days(page, demo_site)).to_have_text("103 営業日")


def test_a_supervisor_sees_the_opening_hours_and_a_japanese_error(page, demo_site, screenshot):
    sign_in(page, demo_site, "supervisor")
    page.goto(f"{demo_site}/settings/office/hours/")
    expect(page.get_by_label("月曜日は開所する")).to_be_checked()
    expect(page.get_by_label("火曜日は開所する")).not_to_be_checked()
    screenshot("office-hours", for_docs=True)
    page.get_by_label("月曜日の終了").fill("08:00")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("月曜日：終了時刻は開始時刻より後にしてください。")).to_be_visible()
    screenshot("office-hours-error")

    page.goto(f"{demo_site}/settings/districts/")
    expect(page.get_by_role("row").nth(1)).to_contain_text("王子地区")
    screenshot("office-districts", for_docs=True)
