"""Reads for the report pages: which report to show (draft or finalized) and what changed since."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import OuterRef, Q, Subquery

from accounts.models import Office, OfficeCalendarDay, OfficeHours, Weekday
from coordination.events.models import Event
from coordination.fiscal import FiscalPeriod, fiscal_year_of
from coordination.logs.models import ContactLog

from .models import QuarterlyReport, ReportFile, ReportVersion
from .quarterly import build_quarterly_report, with_edits
from .render.json import report_from_dict
from .tables import Report

FILE_FIELDS = ("html", "xlsx", "pdf", "json")


@dataclass(frozen=True)
class ReportState:
    """What the report page shows for one office and period."""

    period: FiscalPeriod
    record: QuarterlyReport | None
    versions: list[ReportVersion]  # newest first, without their files
    report: Report

    @property
    def latest(self) -> ReportVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def is_final(self) -> bool:
        """True while the latest finalized version stands (no new draft opened)."""
        return self.latest is not None and not self.record.draft_open


def report_record(office: Office, period: FiscalPeriod) -> QuarterlyReport | None:
    return QuarterlyReport.objects.filter(
        office=office,
        fiscal_year=period.fiscal_year,
        first_quarter=period.first_quarter,
        last_quarter=period.last_quarter,
    ).first()


def draft_report(office: Office, period: FiscalPeriod, record: QuarterlyReport | None) -> Report:
    """The report computed now from the data, with the draft's edited texts."""
    report = build_quarterly_report(office, period)
    if record is None:
        return report
    return with_edits(report, record.schedule, record.texts)


def report_state(office: Office, period: FiscalPeriod) -> ReportState:
    """The finalized version while it stands, else the live draft."""
    record = report_record(office, period)
    versions = []
    if record is not None:
        versions = list(record.versions.defer(*FILE_FIELDS).select_related("finalized_by"))
    if versions and not record.draft_open:
        report = report_from_dict(versions[0].data)
    else:
        report = draft_report(office, period, record)
    return ReportState(period, record, versions, report)


def version_of(office: Office, period: FiscalPeriod, number: int) -> ReportVersion | None:
    return ReportVersion.objects.filter(
        report__office=office,
        report__fiscal_year=period.fiscal_year,
        report__first_quarter=period.first_quarter,
        report__last_quarter=period.last_quarter,
        number=number,
    ).first()


def report_file_of(office: Office, pk: int) -> ReportFile | None:
    """One of the office's report files, without its data or bytes (another office's: None)."""
    return ReportFile.objects.filter(office=office, pk=pk).defer("source", "content").first()


def changed_since(office: Office, period: FiscalPeriod, since) -> tuple[list[ContactLog], list[Event]]:
    """Logs and events of the period created or edited after `since` (a finalization), newest first."""
    logs = (
        ContactLog.objects.for_office(office)
        .in_period(period)
        .filter(updated_at__gt=since)
        .select_related("method", "coordinator")
        .order_by("-updated_at")
    )
    events = Event.objects.for_office(office).in_period(period).filter(updated_at__gt=since).order_by("-updated_at")
    return list(logs), list(events)


@dataclass(frozen=True)
class GoneRecord:
    """A log or event of the period deleted, or moved to another date, after a finalization."""

    kind: str  # "相談・支援記録" or the event's kind
    was_on: date  # its date in the period
    moved_to: date | None  # None when deleted
    what: str  # the method, or the event's name: what the changed list shows already
    who: str  # the log's coordinator ("" for an event)
    when: datetime


def _gone_records(history_model, date_field: str, office: Office, period: FiscalPeriod, since):
    """History records after `since`: deletions dated in the period, and moves out of it.

    A move is a change whose previous record (the one before it, by history_id) was dated in the
    period while the change itself is not; one query with the previous date as a subquery.
    """
    in_period = {f"{date_field}__range": (period.start, period.end)}
    previous_date = (
        history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values(date_field)[:1]
    )
    return (
        history_model.objects.filter(office=office, history_date__gt=since)
        .annotate(previous_date=Subquery(previous_date))
        .filter(
            Q(history_type="-", **in_period)
            | (Q(history_type="~", previous_date__range=(period.start, period.end)) & ~Q(**in_period))
        )
        .order_by("-history_id")
    )


def gone_since(
    office: Office, period: FiscalPeriod, since, *, changed_logs: list[ContactLog], changed_events: list[Event]
) -> list[GoneRecord]:
    """Logs and events that counted in the period and were deleted or moved out after `since`, newest first.

    One row per log or event (its latest such change); those back in the period, which the
    changed lists show already, are left out. Two queries.
    """
    still_listed = {log.pk for log in changed_logs}
    rows, seen = [], set()
    logs = _gone_records(ContactLog.history.model, "occurred_on", office, period, since).select_related(
        "method", "coordinator"
    )
    for record in logs:
        if record.id in seen or record.id in still_listed:
            continue
        seen.add(record.id)
        deleted = record.history_type == "-"
        rows.append(
            GoneRecord(
                "相談・支援記録",
                record.occurred_on if deleted else record.previous_date,
                None if deleted else record.occurred_on,
                record.method.label if record.method else "",
                str(record.coordinator) if record.coordinator else "",
                record.history_date,
            )
        )
    seen, still_listed = set(), {event.pk for event in changed_events}
    for record in _gone_records(Event.history.model, "held_on", office, period, since):
        if record.id in seen or record.id in still_listed:
            continue
        seen.add(record.id)
        deleted = record.history_type == "-"
        rows.append(
            GoneRecord(
                record.get_kind_display(),
                record.held_on if deleted else record.previous_date,
                None if deleted else record.held_on,
                record.name,
                "",
                record.history_date,
            )
        )
    return sorted(rows, key=lambda row: row.when, reverse=True)


@dataclass(frozen=True)
class SettingsChange:
    """A change of the office's calendar or weekly hours after a finalization: it changes the 営業日 count."""

    what: str  # 「休業日を追加」, 「開所時間を変更」…
    day: date | None  # the calendar day concerned; None for the weekly hours
    detail: str  # the reason, or the weekday and hours
    who: str
    when: datetime


CALENDAR_ACTIONS = {"+": "を追加", "~": "を変更", "-": "を取り消し"}
HOURS_ACTIONS = {"+": "開所曜日を追加", "~": "開所時間を変更", "-": "開所曜日を削除"}


def settings_changed_since(office: Office, period: FiscalPeriod, since) -> list[SettingsChange]:
    """Closures and extra days of the period, and weekly hours, changed after `since`, newest first (two queries)."""
    rows = []
    days = OfficeCalendarDay.history.filter(
        office_id=office.pk, date__range=(period.start, period.end), history_date__gt=since
    ).select_related("history_user")
    for record in days:
        kind = "臨時開所日" if record.is_open else "休業日"
        who = str(record.history_user) if record.history_user else ""
        what = f"{kind}{CALENDAR_ACTIONS[record.history_type]}"
        rows.append(SettingsChange(what, record.date, record.reason, who, record.history_date))
    hours = OfficeHours.history.filter(office_id=office.pk, history_date__gt=since).select_related("history_user")
    for record in hours:
        detail = f"{Weekday(record.weekday).label}曜日 {record.opens_at:%H:%M}～{record.closes_at:%H:%M}"
        who = str(record.history_user) if record.history_user else ""
        rows.append(SettingsChange(HOURS_ACTIONS[record.history_type], None, detail, who, record.history_date))
    return sorted(rows, key=lambda row: row.when, reverse=True)


def fiscal_years(office: Office, today) -> list[int]:
    """Fiscal years for the picker: from the first logged one (at least last year) to this one, newest first."""
    first_day = (
        ContactLog.objects.for_office(office).order_by("occurred_on").values_list("occurred_on", flat=True).first()
    )
    current = fiscal_year_of(today)
    first = min(fiscal_year_of(first_day), current - 1) if first_day else current - 1
    return list(range(current, first - 1, -1))
