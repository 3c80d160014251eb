"""build_quarterly_report(office, period): the 業務報告書 as plain data."""

from dataclasses import replace

from accounts.models import Office
from coordination.clients.age_bands import SCHOOL_BANDS, SCHOOL_GROUP_LABEL, AgeBand, age_band
from coordination.events.models import EventKind, EventScope
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ActivityType, ContactMethod
from directory.models import CounterpartCategory
from directory.selectors import office_districts

from . import queries
from .tables import EventSection, EventTable, MonthlyCounts, Report, Row, Section

OUTSIDE_WARD, UNKNOWN = "区外", "不明"

# The counted sections' column headings (one per key, in order) and text headings, as printed.
# report_from_dict falls back on them for versions finalized before reports carried headings.
COLUMN_HEADINGS = {
    1: ("相談対象 (実人数)", "相談数 (延べ件数)", "医ケア 有", "医ケア 無"),
    2: ("実人数",),
    3: ("件数",),
    4: ("件数",),
    5: ("件数",),
}
TEXT_HEADINGS = {3: "相手先や主な内容", 4: "内容", 5: "主な内容"}
# Outreach is listed 区内 first, then 区外, as the seed report does (by date within each).
SCOPE_ORDER = {EventScope.IN_WARD: 0, EventScope.OUTSIDE_WARD: 1}


def _month_day(day) -> str:
    return f"{day.month}月{day.day}日"


def _counted_tree(number, title, model, counts, texts=None) -> Section:
    rows = tuple(
        Row(path=path, values={"count": counts.get(node.pk, 0)}, text=(texts or {}).get(node.pk, ""), key=node.code)
        for node, path in model.objects.leaf_paths()
    )
    has_text = texts is not None
    return Section(
        number,
        title,
        ("count",),
        rows,
        has_text=has_text,
        headings=COLUMN_HEADINGS[number],
        text_heading=TEXT_HEADINGS[number] if has_text else "",
    )


def _area(client, listed, municipality) -> object:
    """The §2 row of a client: a listed district, 区外 or 不明.

    A district the office does not list (its link was removed, or it belongs to another ward)
    still counts once: 区外 when it lies in another municipality, else 不明.
    """
    if client["district_id"] in listed:
        return client["district_id"]
    if client["district_id"]:
        return OUTSIDE_WARD if client["district__municipality"] != municipality else UNKNOWN
    return OUTSIDE_WARD if client["municipality_outside"] else UNKNOWN


def _section_1_and_2(office, period, clients) -> tuple[Section, Section]:
    by_band = {band: {"clients": 0, "contacts": 0, "with_care": 0, "without_care": 0} for band in AgeBand}
    by_area: dict[object, int] = {}
    districts = list(office_districts(office))
    listed = {district.pk for district in districts}
    for client in clients:
        override = client["age_band_override"]
        band = AgeBand(override) if override else age_band(client["birth_date"], period.fiscal_year)
        row = by_band[band]
        row["clients"] += 1
        row["contacts"] += client["contacts"]
        row["with_care" if client["has_medical_care"] else "without_care"] += 1
        area = _area(client, listed, office.municipality)
        by_area[area] = by_area.get(area, 0) + 1

    section_1 = Section(
        1,
        "相談対象者 (実人数)",
        ("clients", "contacts", "with_care", "without_care"),
        tuple(
            Row(
                path=(SCHOOL_GROUP_LABEL, band.label) if band in SCHOOL_BANDS else (band.label,),
                values=values,
                key=band.value,
            )
            for band, values in by_band.items()
        ),
        headings=COLUMN_HEADINGS[1],
    )
    areas = [(d.pk, d.name, d.code) for d in districts]
    areas += [(OUTSIDE_WARD, OUTSIDE_WARD, "outside"), (UNKNOWN, UNKNOWN, "unknown")]
    section_2 = Section(
        2,
        "相談対象者の住所 (実人数)",
        ("clients",),
        tuple(Row(path=(label,), values={"clients": by_area.get(area, 0)}, key=code) for area, label, code in areas),
        headings=COLUMN_HEADINGS[2],
    )
    return section_1, section_2


def _counterpart_figures(rows) -> tuple[dict[int, int], dict[int, str]]:
    """(count per category, its organization names most frequent first) from the counterpart rows."""
    counts: dict[int, int] = {}
    names: dict[int, list[str]] = {}
    for row in rows:  # already most frequent first within a category
        counts[row["category_id"]] = counts.get(row["category_id"], 0) + row["n"]
        name = row["provider__name"] or row["organization_name"]
        if name and name not in names.setdefault(row["category_id"], []):
            names[row["category_id"]].append(name)
    return counts, {category: ", ".join(values) for category, values in names.items() if values}


def _summary_texts(rows) -> dict[int, str]:
    texts: dict[int, list[str]] = {}
    for type_id, summary in rows:
        texts.setdefault(type_id, []).append(summary)
    return {type_id: "、".join(values) for type_id, values in texts.items()}


def _event_sections(events) -> tuple[EventSection, ...]:
    def of(kind):
        return [e for e in events if e.kind == kind]

    outreach_events = sorted(of(EventKind.OUTREACH), key=lambda e: SCOPE_ORDER.get(e.scope, len(SCOPE_ORDER)))
    outreach = EventTable(
        "周知活動等",
        ("周知活動等", "実施機関", "実施日", "方法", "内容", "対象", "参加者数"),
        tuple(
            (
                EventScope(e.scope).label if e.scope else "",
                e.name,
                _month_day(e.held_on),
                e.method_venue,
                e.topic,
                e.audience,
                e.participants_label,
            )
            for e in outreach_events
        ),
        grouped=True,
    )
    meetings = EventTable(
        "会議",
        ("会議参加", "会議名", "開催日", "方法・会場", "主な議題", "対象", "参加者数"),
        tuple(
            (e.role, e.name, _month_day(e.held_on), e.method_venue, e.topic, e.audience, e.participants_label)
            for e in of(EventKind.MEETING)
        ),
    )
    trainings = EventTable(
        "研修",
        ("参加・開催", "研修名", "開催日", "方法・会場", "主なテーマ", "対象", "参加者数"),
        tuple(
            (e.role, e.name, _month_day(e.held_on), e.method_venue, e.topic, e.audience, e.participants_label)
            for e in of(EventKind.TRAINING)
        ),
    )
    others = EventTable(
        "その他",
        ("課題・テーマ", "期間", "方法", "内容・結果など", "対象"),
        tuple(
            (
                e.name,
                _month_day(e.held_on) + (f"～{_month_day(e.ends_on)}" if e.ends_on else ""),
                e.method_venue,
                e.topic,
                e.audience,
            )
            for e in of(EventKind.OTHER)
        ),
    )
    return (
        EventSection(6, "ネットワーク構築（情報収集・連絡・調整・会議等）", (outreach, meetings)),
        EventSection(7, "人材育成（研修参加・研修開催等）", (trainings,)),
        EventSection(8, "その他", (others,)),
    )


def _method_counts(rows) -> dict[int, int]:
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["method_id"]] = counts.get(row["method_id"], 0) + row["total"]
    return counts


def _monthly_methods(period, rows) -> MonthlyCounts:
    """Logs per month of the period by top-level method (訪問 and 会議参加 gather their leaves)."""
    months = [(month.year, month.month) for month in period.months()]
    paths = {node.pk: path for node, path in ContactMethod.objects.leaf_paths()}
    groups = list(dict.fromkeys(path[0] for path in paths.values()))
    counts = {group: [0] * len(months) for group in groups}
    for row in rows:
        day = row["occurred_on"]
        counts[paths[row["method_id"]][0]][months.index((day.year, day.month))] += row["total"]
    return MonthlyCounts(
        months=tuple(f"{month}月" for _, month in months),
        series=tuple((group, tuple(counts[group])) for group in groups),
    )


def _out_of_hours(calendar, period, events, log_rows, hour_ranges) -> tuple[int, int, int]:
    """(business days, activities out of hours, activities) for the header."""
    out_of_hours = activities = 0
    for day in log_rows:
        hours = calendar.hours_on(day["occurred_on"])
        within = day[f"within_{hour_ranges.index(hours)}"] if hours else 0
        out_of_hours += day["total"] - within
        activities += day["total"]
    for event in events:
        if event.contact_log_id is None and event.kind != EventKind.OTHER:
            activities += 1
            out_of_hours += calendar.is_out_of_hours(event.held_on, event.started_at)
    return len(calendar.opening_days(period.start, period.end)), out_of_hours, activities


def build_quarterly_report(office: Office, period: FiscalPeriod) -> Report:
    """The report for an office and a fiscal period, aggregated in the database."""
    events = queries.events(office, period)
    calendar = office.calendar()
    hour_ranges = sorted(set(calendar.weekly.values()) | set(calendar.extra_days.values()))
    log_rows = queries.logs_by_day_and_method(office, period, hour_ranges)
    section_1, section_2 = _section_1_and_2(office, period, queries.client_contacts(office, period))
    business_days, out_of_hours, activities = _out_of_hours(calendar, period, events, log_rows, hour_ranges)
    counterpart_counts, organization_texts = _counterpart_figures(queries.counterparts(office, period))
    sections = (
        section_1,
        section_2,
        _counted_tree(3, "相談者および機関数 (延べ件数)", CounterpartCategory, counterpart_counts, organization_texts),
        # The seed's §4 has a 内容 column left for the office to fill in: empty until a supervisor writes it.
        _counted_tree(4, "相談・支援・活動方法（延べ件数）", ContactMethod, _method_counts(log_rows), texts={}),
        _counted_tree(
            5,
            "相談・活動の種別（延べ件数）",
            ActivityType,
            queries.activity_type_counts(office, period),
            _summary_texts(queries.activity_summaries(office, period)),
        ),
    )
    return Report(
        title=f"業務報告書 ( {period.label}：{period.date_range_label}現在 )",
        office=office.name,
        schedule=office.schedule_label(),
        fiscal_year=period.fiscal_year,
        quarters=(period.first_quarter, period.last_quarter),
        start=period.start,
        end=period.end,
        business_days=business_days,
        out_of_hours=out_of_hours,
        activities=activities,
        sections=sections,
        event_sections=_event_sections(events),
        footnotes=("年齢区分は年度初日（4月1日）時点",),
        monthly_methods=_monthly_methods(period, log_rows),
    )


def with_edits(report: Report, schedule: str = "", texts: dict | None = None) -> Report:
    """The report with a supervisor's edited schedule line and free texts in place of the generated ones."""
    texts = texts or {}

    def edited(section: Section) -> Section:
        section_texts = texts.get(str(section.number), {})
        if not section.has_text or not section_texts:
            return section
        rows = tuple(replace(row, text=section_texts.get(row.key, row.text)) for row in section.rows)
        return replace(section, rows=rows)

    return replace(report, schedule=schedule or report.schedule, sections=tuple(map(edited, report.sections)))
