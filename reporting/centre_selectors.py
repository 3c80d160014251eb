"""Reads for the centre page: one row of figures per office for a period, and the offices' finalized reports.

An office's row comes from its finalized 業務報告書 when one stands for exactly that period (the
latest version, no new draft open): its 実人数 and 延べ (§1's totals), 時間外 and the §5 top
activity types are the version's, frozen. Otherwise they are computed now (速報). 新規 and
個別/地域 are not in a 業務報告書: they are always computed now.

The live figures of every office come from a fixed number of queries grouped by office (the
count does not grow with the number of offices), by the 業務報告書's own rules
(docs/counting-rules.md):
- 実人数 / 延べ: distinct clients / logs with a client in the period (§1's totals).
- 時間外: logs starting outside the office's hours that day or on a closed day (a log without a
  time counts as within hours on an open day), and events without a log (not その他) likewise.
- 新規: clients whose first ever log with the office falls in the period
  (coordination.logs.selectors.new_client_ids, here for every office at once).
- 個別/地域: logs by support_kind. Top activity types: §5's counts, the three largest.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import time

from django.db.models import Count, Q

from accounts.models import Office, OfficeCalendarDay, OfficeHours
from accounts.opening_days import OfficeCalendar
from coordination.events.models import Event, EventKind
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ActivityType, ContactLog, SupportKind

from .models import QuarterlyReport, ReportVersion
from .render.json import report_from_dict
from .selectors import FILE_FIELDS
from .tables import Report

TOP_TYPES = 3


@dataclass(frozen=True)
class OfficeFigures:
    """One row of the centre page: an office's figures for the period."""

    office: Office
    clients: int  # 実人数
    new_clients: int  # 新規 (always live)
    contacts: int  # 延べ
    individual: int  # 個別支援 (always live)
    community: int  # 地域支援 (always live)
    out_of_hours: int  # 時間外
    type_counts: dict[str, int] = field(repr=False)  # §5 by activity type label, every type counted
    version: ReportVersion | None = None  # the standing finalized 業務報告書 the figures come from

    @property
    def is_preliminary(self) -> bool:
        """速報: computed now, no finalized 業務報告書 stands for the period."""
        return self.version is None

    @property
    def top_types(self) -> list[tuple[str, int]]:
        return top_types(self.type_counts)


def top_types(type_counts: dict[str, int]) -> list[tuple[str, int]]:
    """The largest counts, in report order among equals (the dict's order is the report's)."""
    order = {label: index for index, label in enumerate(type_counts)}
    ranked = sorted((item for item in type_counts.items() if item[1]), key=lambda item: (-item[1], order[item[0]]))
    return ranked[:TOP_TYPES]


@dataclass(frozen=True)
class CentreTable:
    """Every office's row and their sum."""

    period: FiscalPeriod
    rows: list[OfficeFigures]

    def _sum(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def total(self) -> dict:
        type_counts: dict[str, int] = {}
        for row in self.rows:
            for label, count in row.type_counts.items():
                type_counts[label] = type_counts.get(label, 0) + count
        names = ("clients", "new_clients", "contacts", "individual", "community", "out_of_hours")
        return {**{name: self._sum(name) for name in names}, "top_types": top_types(type_counts)}

    @property
    def preliminary_count(self) -> int:
        return sum(row.is_preliminary for row in self.rows)


def type_label(path: tuple[str, ...]) -> str:
    return " ▸ ".join(path)


def _calendars(office_ids, period: FiscalPeriod) -> dict[int, OfficeCalendar]:
    """Every office's calendar for the period: two queries for all of them (office.calendar() is two each)."""
    weekly: dict[int, dict] = defaultdict(dict)
    for hours in OfficeHours.objects.filter(office_id__in=office_ids):
        weekly[hours.office_id][hours.weekday] = (hours.opens_at, hours.closes_at)
    closures: dict[int, set] = defaultdict(set)
    extra_days: dict[int, dict] = defaultdict(dict)
    days = OfficeCalendarDay.objects.filter(office_id__in=office_ids, date__range=(period.start, period.end))
    for day in days:
        if day.is_open:
            extra_days[day.office_id][day.date] = (day.opens_at, day.closes_at)
        else:
            closures[day.office_id].add(day.date)
    return {
        pk: OfficeCalendar(weekly=weekly[pk], closures=frozenset(closures[pk]), extra_days=extra_days[pk])
        for pk in office_ids
    }


def _out_of_hours(logs, office_ids, period: FiscalPeriod) -> dict[int, int]:
    """時間外 per office, as build_quarterly_report counts it: one grouped query of the logs, one of the events.

    The logs are counted per office and day, with how many start within each distinct (opens,
    closes) range of any office; each row then takes its office's range of that day.
    """
    calendars = _calendars(office_ids, period)
    hour_ranges: set[tuple[time, time]] = set()
    for calendar in calendars.values():
        hour_ranges |= set(calendar.weekly.values()) | set(calendar.extra_days.values())
    ranges = sorted(hour_ranges)
    within = {
        f"within_{index}": Count(
            "id", filter=Q(started_at__isnull=True) | Q(started_at__gte=opens, started_at__lt=closes)
        )
        for index, (opens, closes) in enumerate(ranges)
    }
    counts = dict.fromkeys(office_ids, 0)
    for row in logs.values("office_id", "occurred_on").annotate(total=Count("id"), **within).order_by():
        hours = calendars[row["office_id"]].hours_on(row["occurred_on"])
        counts[row["office_id"]] += row["total"] - (row[f"within_{ranges.index(hours)}"] if hours else 0)
    events = (
        Event.objects.filter(office_id__in=office_ids, contact_log__isnull=True)
        .in_period(period)
        .exclude(kind=EventKind.OTHER)
        .values_list("office_id", "held_on", "started_at")
    )
    for office_id, held_on, started_at in events:
        counts[office_id] += calendars[office_id].is_out_of_hours(held_on, started_at)
    return counts


@dataclass
class _Counts:
    clients: int = 0
    contacts: int = 0
    individual: int = 0
    community: int = 0
    new_clients: int = 0


def _log_counts(logs, office_ids, period: FiscalPeriod) -> dict[int, _Counts]:
    """実人数, 延べ, 個別/地域 and 新規 per office: two queries, both grouped rows summed here.

    The period's logs grouped by (office, client, support kind) give the first four; 新規 are the
    (office, client) pairs among them with no log of that office before the period
    (new_client_ids' rule: the first ever log falls in the period), the earlier pairs read from
    the covering index coordination_log_report in one grouped scan.
    """
    counts = {pk: _Counts() for pk in office_ids}
    pairs: set[tuple[int, int]] = set()
    rows = logs.values_list("office_id", "client_id", "support_kind").annotate(n=Count("id")).order_by()
    for office_id, client_id, support_kind, n in rows:
        row = counts[office_id]
        if client_id is not None:
            row.contacts += n
            pairs.add((office_id, client_id))
        if support_kind == SupportKind.INDIVIDUAL:
            row.individual += n
        elif support_kind == SupportKind.COMMUNITY:
            row.community += n
    earlier = set(
        ContactLog.objects.filter(office_id__in=office_ids, client__isnull=False, occurred_on__lt=period.start)
        .values_list("office_id", "client_id")
        .distinct()
        .order_by()
    )
    for office_id, client_id in pairs:
        counts[office_id].clients += 1
        counts[office_id].new_clients += (office_id, client_id) not in earlier
    return counts


def _type_counts(office_ids, period: FiscalPeriod, labels: dict[int, str]) -> dict[int, dict[str, int]]:
    """§5's counts per office, every leaf in report order (one query)."""
    through = ContactLog.activity_types.through.objects.filter(
        contactlog__office_id__in=office_ids, contactlog__occurred_on__range=(period.start, period.end)
    )
    counts = {pk: dict.fromkeys(labels.values(), 0) for pk in office_ids}
    for row in through.values("contactlog__office_id", "activitytype_id").annotate(n=Count("id")).order_by():
        label = labels.get(row["activitytype_id"])
        if label is not None:
            counts[row["contactlog__office_id"]][label] += row["n"]
    return counts


def standing_versions(office_ids, period: FiscalPeriod) -> dict[int, ReportVersion]:
    """Per office, the finalized version standing for exactly this period (latest, no new draft open); two queries."""
    records = QuarterlyReport.objects.filter(
        office_id__in=office_ids,
        fiscal_year=period.fiscal_year,
        first_quarter=period.first_quarter,
        last_quarter=period.last_quarter,
        draft_open=False,
    )
    latest: dict[int, ReportVersion] = {}
    versions = ReportVersion.objects.filter(report__in=records).defer(*FILE_FIELDS).select_related("report")
    for version in versions.order_by("report_id", "-number"):
        latest.setdefault(version.report.office_id, version)
    return latest


def _finalized_figures(report: Report) -> tuple[int, int, int, dict[str, int]]:
    """(実人数, 延べ, 時間外, §5 counts by label) of a finalized 業務報告書."""
    sections = {section.number: section for section in report.sections}
    section_1 = sections[1]
    clients = sum(row.values.get("clients", 0) for row in section_1.rows)
    contacts = sum(row.values.get("contacts", 0) for row in section_1.rows)
    type_counts = (
        {type_label(row.path): row.values.get("count", 0) for row in sections[5].rows} if 5 in sections else {}
    )
    return clients, contacts, report.out_of_hours, type_counts


def centre_table(period: FiscalPeriod, offices=None) -> CentreTable:
    """Every office's row for the period (or those of `offices`), by name; a fixed number of queries."""
    offices = list(offices if offices is not None else Office.objects.order_by("name"))
    office_ids = [office.pk for office in offices]
    logs = ContactLog.objects.filter(office_id__in=office_ids).in_period(period)
    counts = _log_counts(logs, office_ids, period)
    standing = standing_versions(office_ids, period)
    live_ids = [pk for pk in office_ids if pk not in standing]
    out_of_hours = _out_of_hours(logs.filter(office_id__in=live_ids), live_ids, period) if live_ids else {}
    labels = {node.pk: type_label(path) for node, path in ActivityType.objects.leaf_paths()}
    type_counts = _type_counts(live_ids, period, labels) if live_ids else {}
    rows = []
    for office in offices:
        counted = counts[office.pk]
        version = standing.get(office.pk)
        if version is not None:
            clients, contacts, hours, types = _finalized_figures(report_from_dict(version.data))
        else:
            clients, contacts = counted.clients, counted.contacts
            hours, types = out_of_hours[office.pk], type_counts[office.pk]
        rows.append(
            OfficeFigures(
                office=office,
                clients=clients,
                new_clients=counted.new_clients,
                contacts=contacts,
                individual=counted.individual,
                community=counted.community,
                out_of_hours=hours,
                type_counts=types,
                version=version,
            )
        )
    return CentreTable(period, rows)


@dataclass(frozen=True)
class OfficeVersions:
    office: Office
    versions: list[ReportVersion]  # newest period and number first, without their files


def finalized_versions(fiscal_year: int) -> list[OfficeVersions]:
    """Every office's finalized 業務報告書 versions of a fiscal year (one query), offices by name."""
    versions = (
        ReportVersion.objects.filter(report__fiscal_year=fiscal_year)
        .defer(*FILE_FIELDS, "data")
        .select_related("report__office")
        .order_by(
            "report__office__name", "report__office_id", "report__first_quarter", "-report__last_quarter", "-number"
        )
    )
    grouped: dict[int, OfficeVersions] = {}
    for version in versions:
        office = version.report.office
        grouped.setdefault(office.pk, OfficeVersions(office, [])).versions.append(version)
    return list(grouped.values())


def finalized_fiscal_years() -> list[int]:
    """Fiscal years with a finalized 業務報告書 of any office (one small query)."""
    return list(QuarterlyReport.objects.filter(versions__isnull=False).values_list("fiscal_year", flat=True).distinct())


def version_for_centre(pk: int) -> ReportVersion | None:
    return ReportVersion.objects.select_related("report__office").filter(pk=pk).first()
