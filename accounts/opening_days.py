"""An office's opening days and hours: weekly pattern, national holidays, year-end, closures."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import jpholiday

Hours = tuple[time, time]


def is_year_end_closure(day: date) -> bool:
    """29 December – 3 January, closed in every Japanese public office."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_national_holiday(day: date) -> bool:
    """国民の祝日, 振替休日 and 国民の休日."""
    return jpholiday.is_holiday(day)


def holiday_name(day: date) -> str:
    """The holiday's name (「勤労感謝の日」, 「振替休日」), or "" on a day that is none."""
    return jpholiday.is_holiday_name(day) or ""


def fiscal_quarter_of(day: date) -> tuple[int, int]:
    """(fiscal year, quarter 1–4) of a day: the year starts on 1 April (as coordination.fiscal counts)."""
    fiscal_year = day.year if day.month >= 4 else day.year - 1
    return fiscal_year, (day.month - 4) % 12 // 3 + 1


def fiscal_quarter_dates(fiscal_year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a fiscal quarter."""
    month = 4 + 3 * (quarter - 1)
    start = date(fiscal_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    after = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return start, after - timedelta(days=1)


@dataclass(frozen=True)
class OfficeCalendar:
    """`weekly` maps weekday (Monday = 0) to opening hours; extra days win over everything."""

    weekly: Mapping[int, Hours]
    closures: frozenset[date] = frozenset()
    extra_days: Mapping[date, Hours] = field(default_factory=dict)

    def hours_on(self, day: date) -> Hours | None:
        """Opening hours on the day, or None when the office is closed."""
        if day in self.extra_days:
            return self.extra_days[day]
        if day in self.closures or is_year_end_closure(day) or is_national_holiday(day):
            return None
        return self.weekly.get(day.weekday())

    def is_open(self, day: date) -> bool:
        return self.hours_on(day) is not None

    def opening_days(self, start: date, end: date) -> list[date]:
        days = []
        day = start
        while day <= end:
            if self.is_open(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def is_out_of_hours(self, day: date, start: time | None) -> bool:
        """An activity starting on a closed day, or before opening or from closing time on."""
        hours = self.hours_on(day)
        if hours is None:
            return True
        if start is None:
            return False
        opens, closes = hours
        return not opens <= start < closes
