"""A calendar or opening-hours change after a finalization shows on the report's page, as the data changes do."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import OfficeCalendarDay

pytestmark = pytest.mark.django_db

PERIOD = "fiscal_year=2025&quarters=1-3"
REPORT = f"{reverse('reporting:quarterly')}?{PERIOD}"
CALENDAR = reverse("office_calendar:calendar")


@pytest.fixture
def finalized(client, supervisor):
    client.force_login(supervisor)
    assert client.post(f"{reverse('reporting:finalize')}?{PERIOD}").status_code == 302
    return client


def test_a_closure_in_the_period_after_the_finalization_is_listed(finalized, demo_office):
    finalized.post(f"{CALENDAR}?month=2025-11", {"day": "2025-11-12|open", "reason": "職員研修"})
    finalized.post(f"{CALENDAR}?month=2026-01", {"day": "2026-01-14|open", "reason": "期間の外"})
    assert OfficeCalendarDay.objects.filter(office=demo_office, date=date(2026, 1, 14)).exists()
    page = finalized.get(REPORT).text
    assert "確定後に変更された営業日・開所時間の設定" in page
    assert "営業日と時間外の件数が変わる設定が 1 件 変更されています。" in page
    assert "<strong>休業日を追加</strong> 2025年11月12日 職員研修" in page
    assert "期間の外" not in page
    # The finalized version still shows the 営業日 it was finalized with.
    assert "<strong>104</strong> 営業日" in page


def test_an_hours_change_after_the_finalization_is_listed(finalized, demo_office):
    data = {"version": 1, "open_0": "on", "opens_0": "09:00", "closes_0": "17:00"}
    data |= {"open_2": "on", "opens_2": "09:00", "closes_2": "17:00", "open_4": "on", "opens_4": "09:00"}
    data |= {"closes_4": "16:00"}
    assert finalized.post(reverse("office_calendar:hours"), data).status_code == 302
    page = finalized.get(REPORT).text
    assert "<strong>開所時間を変更</strong> 金曜日 09:00～16:00" in page


def test_nothing_is_listed_without_a_change(finalized):
    assert "確定後に変更された営業日・開所時間の設定" not in finalized.get(REPORT).text
