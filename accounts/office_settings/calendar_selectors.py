"""Reads for the office settings pages: the month calendar of 営業日 with its counts, and the change histories.

The counts are the report's own: `office.calendar().opening_days(start, end)`, which
reporting/quarterly.py counts a period's 営業日 with, so the page shows what the report will print.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import Office, OfficeCalendarDay, OfficeHours, Weekday
from accounts.opening_days import (
    OfficeCalendar,
    fiscal_quarter_dates,
    fiscal_quarter_of,
    holiday_name,
    is_year_end_closure,
)
from tabular.history import History, Tracked, history_entries
from tabular.wareki import era_year_of_calendar_year

from .calendar_services import CLOSED, CLOSURE, EXTRA, OPEN, weekday_label

WEEKDAY_HEADINGS = [Weekday(number).label for number in range(7)]  # the grid starts on Monday


@dataclass(frozen=True)
class CalendarCell:
    """One day of the month grid: what it is, why, and what a click on it does."""

    day: date
    kind: str  # CSS modifier: open, weekend, holiday, off, year-end, closure, extra
    label: str  # 営業日 / 土日 / 祝日 / 定休日 / 年末年始 / 休業日 / 臨時開所
    detail: str  # the holiday's name, the closure's reason, an extra day's hours
    state: str  # open / closed / closure / extra: the toggle's starting point
    action: str  # what a click does, in words
    is_today: bool

    @property
    def is_open(self) -> bool:
        return self.state in (OPEN, EXTRA)

    @property
    def full_label(self) -> str:
        """The day as a screen reader reads the button: date, status, detail, action."""
        detail = f"（{self.detail}）" if self.detail else ""
        return f"{weekday_label(self.day)} {self.label}{detail}：クリックで{self.action}"

    @property
    def click_value(self) -> str:
        return f"{self.day.isoformat()}|{self.state}"


@dataclass(frozen=True)
class PeriodCount:
    """A report period and its 営業日 as the report counts them."""

    label: str
    start: date
    end: date
    count: int
    fiscal_year: int
    quarters: str  # as the report's URL writes them: "3" or "1-3"


@dataclass(frozen=True)
class MonthCalendar:
    first: date
    weeks: list[list[CalendarCell | None]]
    previous: date
    next: date
    month_count: int
    periods: list[PeriodCount]

    @property
    def label(self) -> str:
        return f"{self.first.year}年{self.first.month}月"


def _hours_text(hours) -> str:
    opens, closes = hours
    return f"{opens.hour}:{opens.minute:02d}～{closes.hour}:{closes.minute:02d}"


def _cell(calendar: OfficeCalendar, exceptions: dict[date, OfficeCalendarDay], day: date, today: date) -> CalendarCell:
    exception = exceptions.get(day)
    if exception is not None and exception.is_open:
        detail = "・".join(part for part in (_hours_text(calendar.hours_on(day)), exception.reason) if part)
        return CalendarCell(day, "extra", "臨時開所", detail, EXTRA, "臨時開所を取り消す", day == today)
    if exception is not None:
        return CalendarCell(day, "closure", "休業日", exception.reason, CLOSURE, "休業日を取り消す", day == today)
    if calendar.is_open(day):
        return CalendarCell(day, "open", "営業日", "", OPEN, "休業日にする", day == today)
    name = holiday_name(day)
    if name:
        kind, label, detail = "holiday", "祝日", name
    elif is_year_end_closure(day):
        kind, label, detail = "year-end", "年末年始", ""
    elif day.weekday() >= 5:
        kind, label, detail = "weekend", "土日", ""
    else:
        kind, label, detail = "off", "定休日", ""
    return CalendarCell(day, kind, label, detail, CLOSED, "臨時開所日にする", day == today)


def _period(calendar: OfficeCalendar, fiscal_year: int, first: int, last: int) -> PeriodCount:
    start, end = fiscal_quarter_dates(fiscal_year, first)[0], fiscal_quarter_dates(fiscal_year, last)[1]
    quarters = str(first) if first == last else f"{first}-{last}"
    which = f"第{first}四半期" if first == last else f"第{first}～{last}四半期"
    label = f"{era_year_of_calendar_year(fiscal_year)}度 {which}"
    return PeriodCount(label, start, end, len(calendar.opening_days(start, end)), fiscal_year, quarters)


def month_calendar(office: Office, first: date, *, today: date) -> MonthCalendar:
    """The month's grid (weeks from Monday), its 営業日 count, and those of its quarter and its
    fiscal year's first quarters up to it, all counted as the report counts them (three queries)."""
    calendar = office.calendar()
    exceptions = {row.date: row for row in OfficeCalendarDay.objects.filter(office=office, date__year=first.year)}
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    last = following - timedelta(days=1)
    weeks: list[list[CalendarCell | None]] = []
    week: list[CalendarCell | None] = [None] * first.weekday()
    day = first
    while day <= last:
        week.append(_cell(calendar, exceptions, day, today))
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    fiscal_year, quarter = fiscal_quarter_of(first)
    periods = [_period(calendar, fiscal_year, quarter, quarter)]
    if quarter > 1:
        periods.append(_period(calendar, fiscal_year, 1, quarter))
    previous = (first - timedelta(days=1)).replace(day=1)
    return MonthCalendar(first, weeks, previous, following, len(calendar.opening_days(first, last)), periods)


def _per_object(records, fields, subject) -> list[Tracked]:
    by_id: dict[int, list] = {}
    for record in records:
        by_id.setdefault(record.id, []).append(record)
    return [Tracked(rows, fields, subject=subject) for rows in by_id.values()]


def calendar_history(office: Office, *, limit: int | None) -> History:
    """Closures and extra opening days added and removed, newest first."""
    records = OfficeCalendarDay.history.filter(office_id=office.pk).select_related("history_user")
    fields = ["date", "is_open", "opens_at", "closes_at", "reason"]
    return history_entries(
        _per_object(
            records,
            fields,
            lambda record: f"{weekday_label(record.date)}の{'臨時開所' if record.is_open else '休業日'}",
        ),
        limit=limit,
    )


def hours_history(office: Office, *, limit: int | None) -> History:
    """The weekly opening hours' changes, newest first."""
    records = OfficeHours.history.filter(office_id=office.pk).select_related("history_user")
    fields = ["weekday", "opens_at", "closes_at"]
    return history_entries(
        _per_object(records, fields, lambda record: f"{Weekday(record.weekday).label}曜日の開所時間"), limit=limit
    )


def office_history(office: Office, *, limit: int | None) -> History:
    """The office's name and schedule line as changed over time, newest first."""
    records = office.history.select_related("history_user")
    return history_entries([Tracked(list(records), ["name", "schedule_line"])], limit=limit)


def hours_by_weekday(office: Office) -> dict[int, OfficeHours]:
    return {row.weekday: row for row in OfficeHours.objects.filter(office=office)}
