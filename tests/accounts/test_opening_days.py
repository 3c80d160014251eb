"""Opening days: weekly pattern − national holidays − 29 Dec–3 Jan − closures + extra days."""

from datetime import date, time

import pytest

from accounts.models import Office, OfficeCalendarDay, OfficeHours
from accounts.opening_days import OfficeCalendar, is_national_holiday

MON_WED_FRI = {0: (time(9), time(17)), 2: (time(9), time(17)), 4: (time(9), time(17))}
START, END = date(2025, 4, 1), date(2025, 12, 31)
FIVE_CLOSURES = frozenset(
    {date(2025, 5, 7), date(2025, 8, 13), date(2025, 8, 15), date(2025, 10, 10), date(2025, 12, 26)}
)


def test_monday_wednesday_friday_april_to_december_2025_is_109_days():
    assert len(OfficeCalendar(MON_WED_FRI).opening_days(START, END)) == 109


def test_with_five_closure_days_it_is_104():
    assert len(OfficeCalendar(MON_WED_FRI, closures=FIVE_CLOSURES).opening_days(START, END)) == 104


def test_year_end_closure_takes_29_december_to_3_january():
    calendar = OfficeCalendar(MON_WED_FRI)
    assert not calendar.is_open(date(2025, 12, 29))  # a Monday
    assert not calendar.is_open(date(2025, 12, 31))  # a Wednesday
    assert not calendar.is_open(date(2026, 1, 2))  # a Friday
    assert calendar.is_open(date(2025, 12, 26))  # the Friday before
    assert calendar.is_open(date(2026, 1, 5))  # the Monday after


@pytest.mark.parametrize(
    "holiday",
    [
        date(2025, 5, 6),  # 振替休日 for 5 May (Sunday → Tuesday)
        date(2025, 11, 24),  # 振替休日 for 23 November
        date(2026, 9, 22),  # 国民の休日 between 敬老の日 and 秋分の日
        date(2025, 7, 21),  # 海の日
    ],
)
def test_substitute_and_citizens_holidays_count_as_holidays(holiday):
    assert is_national_holiday(holiday)


def test_a_holiday_on_an_opening_weekday_is_closed():
    assert not OfficeCalendar(MON_WED_FRI).is_open(date(2025, 11, 24))


def test_an_extra_opening_day_opens_even_a_saturday():
    calendar = OfficeCalendar(MON_WED_FRI, extra_days={date(2025, 6, 7): (time(10), time(15))})
    assert calendar.is_open(date(2025, 6, 7))
    assert len(calendar.opening_days(START, END)) == 110
    assert calendar.is_out_of_hours(date(2025, 6, 7), time(9, 30))
    assert not calendar.is_out_of_hours(date(2025, 6, 7), time(10, 0))


@pytest.mark.parametrize(
    ("day", "start", "out"),
    [
        (date(2025, 4, 2), time(9, 0), False),  # Wednesday at opening
        (date(2025, 4, 2), time(16, 59), False),
        (date(2025, 4, 2), time(17, 0), True),  # from closing time on
        (date(2025, 4, 2), time(8, 59), True),
        (date(2025, 4, 3), time(10, 0), True),  # Thursday: not an opening day
        (date(2025, 5, 7), time(10, 0), True),  # closure day
        (date(2025, 5, 5), time(10, 0), True),  # national holiday on a Monday
        (date(2025, 4, 2), None, False),  # no start time: the day decides
        (date(2025, 4, 3), None, True),
    ],
)
def test_out_of_hours_is_a_start_outside_hours_or_on_a_closed_day(day, start, out):
    assert OfficeCalendar(MON_WED_FRI, closures=FIVE_CLOSURES).is_out_of_hours(day, start) is out


@pytest.mark.django_db
def test_an_offices_calendar_comes_from_its_settings():
    office = Office.objects.create(name="試験事業所", municipality="試験区")
    for weekday in (0, 2, 4):
        OfficeHours.objects.create(office=office, weekday=weekday, opens_at=time(9), closes_at=time(17))
    for day in FIVE_CLOSURES:
        OfficeCalendarDay.objects.create(office=office, date=day, is_open=False, reason="休業")

    assert len(office.calendar().opening_days(START, END)) == 104
    assert office.schedule_label() == "月・水・金 9:00～17:00"


@pytest.mark.django_db
def test_different_hours_on_one_day_are_shown_apart():
    office = Office.objects.create(name="試験事業所2", municipality="試験区")
    OfficeHours.objects.create(office=office, weekday=0, opens_at=time(9), closes_at=time(17))
    OfficeHours.objects.create(office=office, weekday=1, opens_at=time(9), closes_at=time(17))
    OfficeHours.objects.create(office=office, weekday=5, opens_at=time(9, 30), closes_at=time(12))
    assert office.schedule_label() == "月・火 9:00～17:00 / 土 9:30～12:00"
