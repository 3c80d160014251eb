"""Office settings for supervisors (the system admin: any office): weekly hours, the month calendar of
営業日, the office's name and the report header's schedule line. Each page lists its change history."""

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from common.forms import add_service_errors
from common.services import EditConflict
from tabular.conflicts import Conflict, conflict_with, form_differences
from tabular.history import limit_for

from . import calendar_selectors as selectors
from . import calendar_services as services
from .calendar_forms import CalendarClickForm, OfficeHeaderForm, OpeningHoursForm
from .office_choice import office_choices, office_query, settings_office

PERMISSION = "accounts.change_office_settings"
BAD_MONTH = "月の指定が正しくありません（例：2025-11）。今月を表示しています。"
MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def _month(request, today: date) -> tuple[date, str]:
    """The month asked for with `?month=2025-11` (this month when none); a message for a bad one."""
    raw = request.GET.get("month", "")
    if not raw:
        return today.replace(day=1), ""
    match = MONTH.fullmatch(raw)
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1), ""
    return today.replace(day=1), BAD_MONTH


def _url(request, office, name: str, **query) -> str:
    parts = [f"{key}={value}" for key, value in query.items() if value]
    office_part = office_query(request, office)
    if office_part:
        parts.append(office_part)
    return reverse(name) + (f"?{'&'.join(parts)}" if parts else "")


def _common(request, office) -> dict:
    return {"office": office, "offices": office_choices(request), "office_query": office_query(request, office)}


@login_required
@permission_required(PERMISSION, raise_exception=True)
def calendar_view(request):
    """The month grid: a click on a day sets or removes a closure or an extra opening day."""
    office = settings_office(request)
    today = timezone.localdate()
    first, month_error = _month(request, today)
    form = CalendarClickForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            day, seen = form.cleaned_data["day"]
            try:
                done = services.calendar_day_toggle(
                    office=office,
                    user=request.user,
                    day=day,
                    seen=seen,
                    reason=form.cleaned_data["reason"],
                    opens_at=form.cleaned_data["opens_at"],
                    closes_at=form.cleaned_data["closes_at"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = 409 if getattr(error, "code", None) == "changed" else 400
            else:
                messages.success(request, done)
                return redirect(_url(request, office, "office_calendar:calendar", month=f"{day:%Y-%m}"))
        else:
            status = 400
    month = selectors.month_calendar(office, first, today=today)
    context = {
        **_common(request, office),
        "form": form,
        "month": month,
        "month_error": month_error,
        "weekdays": selectors.WEEKDAY_HEADINGS,
        "previous_url": _url(request, office, "office_calendar:calendar", month=f"{month.previous:%Y-%m}"),
        "next_url": _url(request, office, "office_calendar:calendar", month=f"{month.next:%Y-%m}"),
        "this_month_url": _url(request, office, "office_calendar:calendar"),
        "action_url": _url(request, office, "office_calendar:calendar", month=f"{first:%Y-%m}"),
        "history": selectors.calendar_history(office, limit=limit_for(request)),
    }
    return render(request, "office_settings/calendar_month.html", context, status=status)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def hours_view(request):
    """The weekly pattern: for each weekday, open or closed and the hours."""
    office = settings_office(request)
    hours = selectors.hours_by_weekday(office)
    form = OpeningHoursForm(request.POST or None, initial=OpeningHoursForm.initial_for(office, hours))
    conflict, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.opening_hours_update(
                    office=office, user=request.user, days=form.days(), expected_version=form.cleaned_data["version"]
                )
            except EditConflict as error:
                current = error.current
                hours = selectors.hours_by_weekday(current)
                theirs = OpeningHoursForm(initial=OpeningHoursForm.initial_for(current, hours))
                data = request.POST.copy()
                data["version"] = str(current.hours_version)
                changes = form_differences(theirs, form)
                latest = selectors.hours_history(current, limit=1)
                who, when = (latest[0].who, latest[0].when) if len(latest) else (None, None)
                conflict = Conflict("開所時間", changes, who, when)
                form = OpeningHoursForm(data, initial=OpeningHoursForm.initial_for(current, hours))
                form.is_valid()
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                messages.success(request, "開所時間を保存しました。報告書の営業日と時間外の件数はこの設定で数えます。")
                return redirect(_url(request, office, "office_calendar:hours"))
        else:
            status = 400
    context = {
        **_common(request, office),
        "form": form,
        "conflict": conflict,
        "history": selectors.hours_history(office, limit=limit_for(request)),
        "action_url": _url(request, office, "office_calendar:hours"),
    }
    return render(request, "office_settings/hours_form.html", context, status=status)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def office_view(request):
    """The office's name and the schedule line of the report header."""
    office = settings_office(request)
    initial = {"version": office.version}
    form = OfficeHeaderForm(request.POST or None, instance=office, initial=initial)
    conflict, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _, changed = services.office_header_update(
                    office=office,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    schedule_line=form.cleaned_data["schedule_line"],
                    expected_version=form.cleaned_data["version"],
                )
            except EditConflict as error:
                current = error.current
                theirs = OfficeHeaderForm(instance=current, initial={"version": current.version})
                data = request.POST.copy()
                data["version"] = str(current.version)
                conflict = conflict_with(
                    current, what="事業所名・開所日時の表記", changes=form_differences(theirs, form)
                )
                form = OfficeHeaderForm(data, instance=current, initial={"version": current.version})
                form.is_valid()
                office, status = current, 409
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                messages.success(
                    request, "事業所名と開所日時の表記を保存しました。" if changed else "変更はありませんでした。"
                )
                return redirect(_url(request, office, "office_calendar:office"))
        else:
            status = 400
        office.refresh_from_db()  # the bound form set the typed values on it; the page shows what is saved
    context = {
        **_common(request, office),
        "form": form,
        "conflict": conflict,
        "generated_schedule": office.generated_schedule_label(),
        "history": selectors.office_history(office, limit=limit_for(request)),
        "action_url": _url(request, office, "office_calendar:office"),
    }
    return render(request, "office_settings/office_form.html", context, status=status)
