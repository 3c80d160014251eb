"""Office settings for supervisors: the month calendar of 営業日, the weekly hours, the report header.

What a supervisor sees and what the report then counts; bad input gets a Japanese message and
changes nothing; a form read before someone else saved is refused (optimistic locking).
"""

from datetime import date, time

import pytest
from django.urls import reverse

from accounts.models import Office, OfficeCalendarDay, OfficeHours
from accounts.roles import Role
from tests.coordination.client_factories import make_office, make_user

pytestmark = pytest.mark.django_db

CALENDAR = reverse("office_calendar:calendar")
HOURS = reverse("office_calendar:hours")
OFFICE = reverse("office_calendar:office")
NOVEMBER = f"{CALENDAR}?month=2025-11"
REPORT = f"{reverse('reporting:quarterly')}?fiscal_year=2025&quarters=1-3"


def click(client, day: str, state: str, **data):
    return client.post(NOVEMBER, {"day": f"{day}|{state}", "reason": "", "opens_at": "", "closes_at": "", **data})


@pytest.fixture
def signed_in(client, supervisor):
    client.force_login(supervisor)
    return client


# --- the calendar ------------------------------------------------------------------------------------


def test_the_month_shows_each_day_as_the_report_counts_it(signed_in):
    page = signed_in.get(NOVEMBER).text
    assert "2025年11月" in page
    assert "2025年11月3日（月） 祝日（文化の日）" in page
    assert "2025年11月23日（日） 祝日（勤労感謝の日）" in page
    assert "2025年11月12日（水） 営業日：クリックで休業日にする" in page
    assert "2025年11月11日（火） 定休日：クリックで臨時開所日にする" in page
    assert "2025年11月15日（土） 土日" in page
    # The month, its quarter and the fiscal year's Q1–Q3, which the demo's report prints as 104 営業日.
    assert "<dd>10 日</dd>" in page and "<dd>33 日</dd>" in page and "<dd>104 日</dd>" in page
    assert "令和7年度 第1～3四半期" in page


def test_a_closure_shows_with_its_reason(signed_in):
    page = signed_in.get(f"{CALENDAR}?month=2025-10").text
    assert "2025年10月10日（金） 休業日（事務所移転作業のため休業）：クリックで休業日を取り消す" in page


def test_a_click_on_an_open_day_closes_it_and_the_report_counts_one_day_less(signed_in, demo_office, supervisor):
    assert "<strong>104</strong> 営業日" in signed_in.get(REPORT).text
    response = click(signed_in, "2025-11-12", "open", reason="職員研修")
    assert response.status_code == 302 and response["Location"] == NOVEMBER
    day = OfficeCalendarDay.objects.get(office=demo_office, date=date(2025, 11, 12))
    assert (day.is_open, day.reason) == (False, "職員研修")
    page = signed_in.get(NOVEMBER).text
    assert "2025年11月12日（水）を休業日にしました。" in page
    assert "2025年11月12日（水） 休業日（職員研修）" in page
    assert "<dd>9 日</dd>" in page and "<dd>103 日</dd>" in page
    assert "<strong>103</strong> 営業日" in signed_in.get(REPORT).text
    record = day.history.get()
    assert record.history_user == supervisor
    assert "2025年11月12日（水）の休業日" in page  # the history lists it


def test_a_second_click_removes_the_closure_and_the_history_keeps_both(signed_in, demo_office):
    click(signed_in, "2025-11-12", "open", reason="職員研修")
    response = click(signed_in, "2025-11-12", "closure")
    assert response.status_code == 302
    assert not OfficeCalendarDay.objects.filter(office=demo_office, date=date(2025, 11, 12)).exists()
    page = signed_in.get(NOVEMBER).text
    assert "2025年11月12日（水）の休業日を取り消しました。" in page
    assert "<dd>104 日</dd>" in page
    assert page.count("2025年11月12日（水）の休業日") >= 2  # added, then deleted
    assert OfficeCalendarDay.history.filter(date=date(2025, 11, 12)).count() == 2


def test_a_click_on_a_closed_day_opens_it_with_the_usual_hours(signed_in, demo_office):
    response = click(signed_in, "2025-11-15", "closed", reason="休日相談会")
    assert response.status_code == 302
    day = OfficeCalendarDay.objects.get(office=demo_office, date=date(2025, 11, 15))
    assert (day.is_open, day.opens_at, day.closes_at, day.reason) == (True, time(9), time(17), "休日相談会")
    page = signed_in.get(NOVEMBER).text
    assert "2025年11月15日（土） 臨時開所（9:00～17:00・休日相談会）" in page
    assert "<dd>11 日</dd>" in page and "<dd>105 日</dd>" in page


def test_an_extra_day_on_a_holiday_takes_the_hours_typed(signed_in, demo_office):
    response = click(signed_in, "2025-11-24", "closed", opens_at="10:00", closes_at="12:30")
    assert response.status_code == 302
    day = OfficeCalendarDay.objects.get(office=demo_office, date=date(2025, 11, 24))
    assert (day.opens_at, day.closes_at) == (time(10), time(12, 30))
    assert "臨時開所日にしました（勤労感謝の日 振替休日）" in signed_in.get(NOVEMBER).text


def test_a_click_read_before_someone_else_changed_the_day_is_refused(signed_in, demo_office):
    OfficeCalendarDay.objects.create(office=demo_office, date=date(2025, 11, 12), is_open=False, reason="先の人")
    response = click(signed_in, "2025-11-12", "open", reason="後の人")
    assert response.status_code == 409
    assert "ほかの人が先にこの日を変更しました。あなたの操作は保存されていません。" in response.text
    assert OfficeCalendarDay.objects.get(office=demo_office, date=date(2025, 11, 12)).reason == "先の人"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2025-11-12|open", "reason": "あ" * 201}, "理由は200文字以内で入力してください。"),
        ({"day": "2025-11-15|closed", "opens_at": "17:00", "closes_at": "9:00"}, "終了時刻は開始時刻より後に"),
        ({"day": "2025-11-15|closed", "opens_at": "9:00"}, "開始と終了の両方を入力するか"),
        ({"day": "2025-11-15|closed", "opens_at": "朝", "closes_at": "17:00"}, "時刻は 9:00 のように入力"),
        ({"day": "2025-13-45|open"}, "日付の指定が正しくありません。"),
        ({"day": "2025-11-12|whatever"}, "日付の指定が正しくありません。"),
        ({"day": "", "reason": "研修"}, "カレンダーの日付をクリックしてください。"),
    ],
)
def test_bad_input_gets_a_japanese_message_and_changes_nothing(signed_in, demo_office, data, message):
    before = list(OfficeCalendarDay.objects.filter(office=demo_office).values_list("date", "is_open", "reason"))
    response = signed_in.post(NOVEMBER, data)
    assert response.status_code == 400
    assert message in response.text
    assert list(OfficeCalendarDay.objects.filter(office=demo_office).values_list("date", "is_open", "reason")) == before


def test_a_bad_month_shows_this_month_with_a_message(signed_in):
    response = signed_in.get(f"{CALENDAR}?month=2025-13")
    assert response.status_code == 200
    assert "月の指定が正しくありません（例：2025-11）。今月を表示しています。" in response.text


def test_the_previous_and_next_month_links(signed_in):
    page = signed_in.get(f"{CALENDAR}?month=2026-01").text
    assert f'href="{CALENDAR}?month=2025-12" rel="prev"' in page
    assert f'href="{CALENDAR}?month=2026-02" rel="next"' in page
    assert "2026年1月1日（木） 祝日（元日）" in page
    assert "2026年1月2日（金） 年末年始" in page
    assert "令和7年度 第4四半期" in page and "令和7年度 第1～4四半期" in page


# --- weekly hours --------------------------------------------------------------------------------------


def hours_data(office, **changes) -> dict:
    rows = {row.weekday: row for row in OfficeHours.objects.filter(office=office)}
    data = {"version": office.hours_version}
    for weekday in range(7):
        row = rows.get(weekday)
        if row:
            data[f"open_{weekday}"] = "on"
        data[f"opens_{weekday}"] = f"{row.opens_at:%H:%M}" if row else ""
        data[f"closes_{weekday}"] = f"{row.closes_at:%H:%M}" if row else ""
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_hours_form_shows_the_weekly_pattern(signed_in):
    page = signed_in.get(HOURS).text
    assert '<input type="checkbox" name="open_0" id="id_open_0" checked>' in page
    assert '<input type="checkbox" name="open_1" id="id_open_1">' in page
    assert 'name="opens_0" value="09:00"' in page


def test_a_supervisor_opens_tuesday_and_the_schedule_line_follows(signed_in, demo_office, supervisor):
    data = hours_data(demo_office, open_1="on", opens_1="10:00", closes_1="15:30")
    response = signed_in.post(HOURS, data)
    assert response.status_code == 302
    demo_office.refresh_from_db()
    assert demo_office.schedule_label() == "月・水・金 9:00～17:00 / 火 10:00～15:30"
    assert demo_office.hours_version == 2
    tuesday = OfficeHours.objects.get(office=demo_office, weekday=1)
    assert tuesday.history.get().history_user == supervisor
    page = signed_in.get(HOURS).text
    assert "開所時間を保存しました。" in page
    assert "火曜日の開所時間" in page  # in the history
    # The calendar counts the new Tuesdays: November 2025 has 4 of them (the 25th is no holiday).
    assert "<dd>14 日</dd>" in signed_in.get(NOVEMBER).text


def test_closing_a_weekday_removes_it(signed_in, demo_office):
    data = hours_data(demo_office)
    del data["open_4"]
    assert signed_in.post(HOURS, data).status_code == 302
    assert sorted(OfficeHours.objects.filter(office=demo_office).values_list("weekday", flat=True)) == [0, 2]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"opens_0": "17:00", "closes_0": "09:00"}, "月曜日：終了時刻は開始時刻より後にしてください。"),
        (
            {"open_1": "on", "opens_1": "", "closes_1": ""},
            "火曜日：開所する曜日には開始と終了の時刻を入力してください。",
        ),
        ({"opens_2": "9時"}, "時刻は 9:00 のように入力してください。"),
        ({"open_0": None, "open_2": None, "open_4": None}, "開所する曜日を1つ以上選んでください。"),
    ],
)
def test_bad_hours_get_a_japanese_message_and_change_nothing(signed_in, demo_office, changes, message):
    before = list(OfficeHours.objects.filter(office=demo_office).values_list("weekday", "opens_at", "closes_at"))
    response = signed_in.post(HOURS, hours_data(demo_office, **changes))
    assert response.status_code == 400
    assert message in response.text
    after = list(OfficeHours.objects.filter(office=demo_office).values_list("weekday", "opens_at", "closes_at"))
    assert after == before


def test_hours_read_before_someone_else_saved_them_are_refused(client, signed_in, demo_office):
    stale = hours_data(demo_office, open_5="on", opens_5="10:00", closes_5="12:00")
    assert signed_in.post(HOURS, hours_data(demo_office, opens_0="08:30")).status_code == 302
    response = signed_in.post(HOURS, stale)
    assert response.status_code == 409
    assert "ほかの人が開所時間を先に更新しました" in response.text
    assert 'name="version" value="2"' in response.text  # the next save goes through, on purpose
    assert not OfficeHours.objects.filter(office=demo_office, weekday=5).exists()
    assert OfficeHours.objects.get(office=demo_office, weekday=0).opens_at == time(8, 30)


# --- the office's name and the report header's schedule line ---------------------------------------------


def test_the_schedule_line_goes_into_the_report_header(signed_in, demo_office, supervisor):
    data = {"name": demo_office.name, "schedule_line": "月・水・金 9:00～17:00（祝日・年末年始を除く）", "version": 1}
    response = signed_in.post(OFFICE, data)
    assert response.status_code == 302
    demo_office.refresh_from_db()
    assert demo_office.version == 2
    assert demo_office.history.latest().history_user == supervisor
    page = signed_in.get(OFFICE).text
    assert "事業所名と開所日時の表記を保存しました。" in page
    assert "報告書の開所日時の表記" in page  # the history names the field
    assert '<p class="report-schedule">月・水・金 9:00～17:00（祝日・年末年始を除く）</p>' in signed_in.get(REPORT).text


def test_an_empty_schedule_line_is_written_from_the_hours(signed_in, demo_office):
    page = signed_in.get(OFFICE).text
    assert "空欄のときは開所時間から作ります：「月・水・金 9:00～17:00」" in page
    assert demo_office.schedule_label() == "月・水・金 9:00～17:00"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "事業所名を入力してください。"),
        ("板橋区の事業所", "この事業所名はほかの事業所が使っています。"),
        ("あ" * 201, "事業所名は200文字以内で入力してください。"),
    ],
)
def test_a_bad_name_gets_a_japanese_message_and_changes_nothing(signed_in, demo_office, name, message):
    Office.objects.create(name="板橋区の事業所", municipality="板橋区")
    response = signed_in.post(OFFICE, {"name": name, "schedule_line": "", "version": 1})
    assert response.status_code == 400
    assert message in response.text
    demo_office.refresh_from_db()
    assert (demo_office.name, demo_office.version) == ("北区医療的ケア児等コーディネーター事業", 1)


def test_a_name_read_before_someone_else_saved_is_refused(signed_in, demo_office):
    assert signed_in.post(OFFICE, {"name": "北区の事業所", "schedule_line": "", "version": 1}).status_code == 302
    response = signed_in.post(OFFICE, {"name": "北区コーディネーター", "schedule_line": "", "version": 1})
    assert response.status_code == 409
    assert "ほかの人が事業所名・開所日時の表記を先に更新しました" in response.text
    demo_office.refresh_from_db()
    assert demo_office.name == "北区の事業所"


# --- who may open the settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CALENDAR, HOURS, OFFICE, reverse("district_settings:index")])
def test_coordinators_are_refused_and_a_supervisor_naming_another_office_gets_404(client, coordinator, supervisor, url):
    other = make_office("板橋区医療的ケア児等コーディネーター事業")
    client.force_login(coordinator)
    assert client.get(url).status_code == 403
    client.force_login(supervisor)
    assert client.get(f"{url}?office={other.pk}").status_code == 404
    assert client.get(f"{url}?office={supervisor.office_id}").status_code == 200
    assert client.get(f"{url}?office=abc").status_code == 404


def test_the_admin_picks_another_office(client, admin_user):
    other = make_office("板橋区医療的ケア児等コーディネーター事業")
    make_user(other, "b-supervisor", Role.SUPERVISOR)
    client.force_login(admin_user)
    page = client.get(f"{NOVEMBER}&office={other.pk}").text
    assert "板橋区医療的ケア児等コーディネーター事業。日付をクリックすると" in page
    assert f'<option value="{other.pk}" selected>' in page
    # The other office has no opening hours yet: every weekday is 定休日 and the month has no 営業日.
    assert "<dd>0 日</dd>" in page
    response = signed_click = client.post(
        f"{NOVEMBER}&office={other.pk}", {"day": "2025-11-12|closed", "reason": "", "opens_at": "", "closes_at": ""}
    )
    assert signed_click.status_code == 302 and response["Location"] == f"{NOVEMBER}&office={other.pk}"
    assert OfficeCalendarDay.objects.get(office=other).is_open
