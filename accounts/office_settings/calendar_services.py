"""Writes of an office's settings: weekly opening hours, closures and extra opening days, the report header.

Every write is saved with django-simple-history (who and when, through `_history_user`), so each
settings page lists its changes; each form is refused when what it was read from has changed since.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import Office, OfficeCalendarDay, OfficeHours, User, Weekday
from accounts.opening_days import holiday_name, is_year_end_closure
from common.services import EditConflict, lock_for_edit, model_update
from tabular.wareki import format_date

HOURS_ORDER = "終了時刻は開始時刻より後にしてください。"
HOURS_MISSING = "開所する曜日には開始と終了の時刻を入力してください。"
NO_OPEN_DAY = "開所する曜日を1つ以上選んでください。"
CALENDAR_CHANGED = (
    "ほかの人が先にこの日を変更しました。あなたの操作は保存されていません。"
    "カレンダーの表示を確かめてから、もう一度クリックしてください。"
)
DEFAULT_HOURS = (time(9, 0), time(17, 0))


@dataclass(frozen=True)
class DayHours:
    """One weekday of the hours form: closed, or open from `opens_at` to `closes_at`."""

    weekday: int
    is_open: bool
    opens_at: time | None = None
    closes_at: time | None = None


def _hours_errors(days: Sequence[DayHours]) -> dict[str, list[str]]:
    errors = {}
    for day in days:
        if not day.is_open:
            continue
        if day.opens_at is None or day.closes_at is None:
            errors[f"day_{day.weekday}"] = [HOURS_MISSING]
        elif day.opens_at >= day.closes_at:
            errors[f"day_{day.weekday}"] = [HOURS_ORDER]
    if not any(day.is_open for day in days):
        errors["__all__"] = [NO_OPEN_DAY]
    return errors


@transaction.atomic
def opening_hours_update(*, office: Office, user: User, days: Sequence[DayHours], expected_version: int) -> Office:
    """Set the weekly pattern (one entry per weekday); EditConflict when it changed since it was read.

    Errors come as one ValidationError keyed `day_<weekday>` (and `__all__`); nothing is saved then.
    Returns the office with its new `hours_version`.
    """
    current = Office.objects.select_for_update().get(pk=office.pk)
    if current.hours_version != expected_version:
        raise EditConflict(current)
    errors = _hours_errors(days)
    if errors:
        raise ValidationError(errors)
    existing = {row.weekday: row for row in OfficeHours.objects.filter(office=current)}
    for day in days:
        row = existing.get(day.weekday)
        if not day.is_open:
            if row is not None:
                row._history_user = user
                row.delete()
            continue
        if row is None:
            row = OfficeHours(office=current, weekday=day.weekday, opens_at=day.opens_at, closes_at=day.closes_at)
        elif (row.opens_at, row.closes_at) == (day.opens_at, day.closes_at):
            continue
        row.opens_at, row.closes_at = day.opens_at, day.closes_at
        row._history_user = user
        row.save()
    # The version alone changes: no history record of the office for it.
    Office.objects.filter(pk=current.pk).update(hours_version=F("hours_version") + 1)
    current.refresh_from_db()
    return current


@transaction.atomic
def office_header_update(
    *, office: Office, user: User, name: str, schedule_line: str, expected_version: int
) -> tuple[Office, bool]:
    """The office's name and the report header's schedule line; EditConflict when saved by someone else since.

    Returns (office, whether anything changed); a save that changes nothing keeps the version.
    """
    current = lock_for_edit(Office, pk=office.pk, expected_version=expected_version)
    if (current.name, current.schedule_line) == (name, schedule_line):
        return current, False
    current._history_user = user
    return model_update(
        instance=current,
        fields=["name", "schedule_line", "version"],
        data={"name": name, "schedule_line": schedule_line, "version": current.version + 1},
    )


# --- the calendar ---------------------------------------------------------------------------------

# What a day of the month looks like before a click, as the page sent it with the click: a click is
# refused when the day is no longer so (someone else changed it in the meantime).
OPEN, CLOSED, CLOSURE, EXTRA = "open", "closed", "closure", "extra"


def day_state(office: Office, day: date) -> str:
    """open / closed by the usual rules, or a closure / an extra opening day set for the day (one or two queries)."""
    exception = OfficeCalendarDay.objects.filter(office=office, date=day).first()
    if exception is not None:
        return EXTRA if exception.is_open else CLOSURE
    return OPEN if office.calendar().is_open(day) else CLOSED


def weekday_label(day: date) -> str:
    return f"{format_date(day)}（{Weekday(day.weekday()).label}）"


def usual_hours(office: Office, day: date) -> tuple[time, time]:
    """The hours an extra opening day gets when none are given: the weekday's, else the most usual ones."""
    rows = list(OfficeHours.objects.filter(office=office))
    for row in rows:
        if row.weekday == day.weekday():
            return row.opens_at, row.closes_at
    if not rows:
        return DEFAULT_HOURS
    counts: dict[tuple[time, time], int] = {}
    for row in rows:
        counts[(row.opens_at, row.closes_at)] = counts.get((row.opens_at, row.closes_at), 0) + 1
    return max(counts, key=lambda hours: (counts[hours], hours))


@transaction.atomic
def calendar_day_toggle(
    *,
    office: Office,
    user: User,
    day: date,
    seen: str,
    reason: str = "",
    opens_at: time | None = None,
    closes_at: time | None = None,
) -> str:
    """A click on a day: an open day gets a closure, a closed day an extra opening, a set day goes back.

    `seen` is the day's state as the page showed it; ValidationError(CALENDAR_CHANGED) when it is
    no longer so, or when an extra day's hours are the wrong way round. Returns the Japanese message
    saying what was done.
    """
    Office.objects.select_for_update().filter(pk=office.pk).first()  # one click at a time per office
    state = day_state(office, day)
    if state != seen:
        raise ValidationError(CALENDAR_CHANGED, code="changed")
    label = weekday_label(day)
    if state in (CLOSURE, EXTRA):
        row = OfficeCalendarDay.objects.get(office=office, date=day)
        row._history_user = user
        row.delete()
        return f"{label}の{'休業日' if state == CLOSURE else '臨時開所'}を取り消しました。"
    if state == OPEN:
        row = OfficeCalendarDay(office=office, date=day, is_open=False, reason=reason)
        row._history_user = user
        row.full_clean()
        row.save()
        return f"{label}を休業日にしました。"
    if opens_at is None or closes_at is None:
        opens_at, closes_at = usual_hours(office, day)
    if opens_at >= closes_at:
        raise ValidationError({"closes_at": [HOURS_ORDER]})
    row = OfficeCalendarDay(
        office=office, date=day, is_open=True, opens_at=opens_at, closes_at=closes_at, reason=reason
    )
    row._history_user = user
    row.full_clean()
    row.save()
    why = holiday_name(day) or ("年末年始" if is_year_end_closure(day) else "")
    return f"{label}を臨時開所日にしました{f'（{why}）' if why else ''}。"
