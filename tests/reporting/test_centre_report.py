"""The centre's 受付状況: on the demo data it equals counts made here from the rows, in constant queries."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

import pytest
from django.db.models import Prefetch
from openpyxl import load_workbook

from coordination.clients.models import Client
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart, SupportKind
from coordination.logs.services import CounterpartEntry, contact_log_create
from directory.models import CounterpartCategory
from reporting.centre import build_centre_report
from reporting.quarterly import build_quarterly_report
from reporting.render import FORMATS
from reporting.render.json import report_from_dict, report_to_dict
from tests.coordination.client_factories import make_client, make_office, make_user
from tests.coordination.test_imports import (  # noqa: F401 (import_dir: an autouse fixture, uploads go to a temporary folder)
    CLIENT_HEADERS,
    HANAKO,
    LOG_HEADERS,
    client_row,
    confirm,
    import_dir,
    log_row,
    preview,
    xlsx,
)

from .test_html import body_rows, parse, section_table

pytestmark = pytest.mark.django_db

FY2025 = FiscalPeriod(2025, 1, 4)
Q2 = FiscalPeriod(2025, 2, 2)
Q1_3 = FiscalPeriod(2025, 1, 3)
KINDS = ("individual", "community")


def log_on(office, coordinator, client, day, **fields) -> ContactLog:
    """A log written as the log form writes it (the kind defaults from the client)."""
    return contact_log_create(
        office=office,
        coordinator=coordinator,
        occurred_on=day,
        client=client,
        **{
            "method": ContactMethod.objects.get(code="phone"),
            "activity_types": [ActivityType.objects.get(code="discharge")],
            "counterparts": [CounterpartEntry(category=CounterpartCategory.objects.get(code="party-parent-mother"))],
            **fields,
        },
    )


# --- the counts, made from the rows with plain loops ----------------------------------------------------


@dataclass
class Expected:
    kinds: Counter = field(default_factory=Counter)
    activities: dict = field(default_factory=dict)  # leaf code → {kind: count}
    counterparts: dict = field(default_factory=dict)
    clients: int = 0
    new: int = 0
    contacts: int = 0
    months: dict = field(default_factory=dict)  # month → {individual, community, clients, new}


def leaf_codes(model) -> list[str]:
    nodes = list(model.objects.order_by("position"))
    parents = {node.parent_id for node in nodes}
    return [node.code for node in nodes if node.pk not in parents]


def expected(office, period) -> Expected:
    logs = list(
        ContactLog.objects.filter(office=office).prefetch_related(
            "activity_types", Prefetch("counterparts", queryset=Counterpart.objects.select_related("category"))
        )
    )
    first_contact: dict[int, date] = {}
    for log in logs:
        if log.client_id and (log.client_id not in first_contact or log.occurred_on < first_contact[log.client_id]):
            first_contact[log.client_id] = log.occurred_on
    new = {client for client, day in first_contact.items() if period.start <= day <= period.end}

    result = Expected(
        activities={code: dict.fromkeys(KINDS, 0) for code in leaf_codes(ActivityType)},
        counterparts={code: dict.fromkeys(KINDS, 0) for code in leaf_codes(CounterpartCategory)},
        months={day.month: {**dict.fromkeys(KINDS, 0), "clients": set(), "new": 0} for day in period.months()},
    )
    clients = set()
    for log in logs:
        if not period.start <= log.occurred_on <= period.end:
            continue
        result.kinds[log.support_kind] += 1
        month = result.months[log.occurred_on.month]
        month[log.support_kind] += 1
        for activity_type in log.activity_types.all():
            result.activities[activity_type.code][log.support_kind] += 1
        for counterpart in log.counterparts.all():
            result.counterparts[counterpart.category.code][log.support_kind] += 1
        if log.client_id:
            clients.add(log.client_id)
            month["clients"].add(log.client_id)
            result.contacts += 1
    for client in new:
        result.months[first_contact[client].month]["new"] += 1
    for month in result.months.values():
        month["clients"] = len(month["clients"])
    result.clients, result.new = len(clients), len(new)
    return result


def by_key(section) -> dict:
    return {row.key: row.values for row in section.rows}


def assert_report_matches(report, want: Expected):
    kinds, activities, counterparts, people, months = report.sections
    assert by_key(kinds) == {kind: {"count": want.kinds[kind]} for kind in KINDS}
    assert [row.path for row in kinds.rows] == [("個別支援",), ("地域支援",)]
    assert by_key(activities) == want.activities
    assert [row.key for row in activities.rows] == leaf_codes(ActivityType)  # every leaf, in report order
    assert by_key(counterparts) == want.counterparts
    assert [row.key for row in counterparts.rows] == leaf_codes(CounterpartCategory)
    assert people.rows[0].values == {"clients": want.clients, "new": want.new, "contacts": want.contacts}
    assert {int(key.removeprefix("month-")): values for key, values in by_key(months).items()} == want.months
    period = FiscalPeriod(report.fiscal_year, *report.quarters)
    assert [row.path[0] for row in months.rows] == [f"{day.month}月" for day in period.months()]


# --- the demo data ----------------------------------------------------------------------------------------


@pytest.fixture
def more_rows(demo_office, coordinator):
    """On top of the demo (whose FY2025 ends in December): logs from January to March 2026, a
    client's earlier history in FY2024, a 地域支援 log about a client with two types and two
    counterparts, and a log of another office on the same day."""
    clients = list(Client.objects.for_office(demo_office).order_by("pk")[:2])
    newcomer = make_client(demo_office, name="新規 四郎", name_kana="シンキ シロウ")
    log_on(demo_office, coordinator, clients[0], date(2024, 10, 1))  # clients[0] is no longer new in FY2025
    log_on(demo_office, coordinator, newcomer, date(2026, 1, 5))
    log_on(demo_office, coordinator, newcomer, date(2026, 3, 31))
    log_on(demo_office, coordinator, None, date(2026, 2, 2))
    log_on(
        demo_office,
        coordinator,
        clients[1],
        date(2026, 2, 3),
        support_kind=SupportKind.COMMUNITY,
        activity_types=list(ActivityType.objects.filter(code__in=["discharge", "complaint"])),
        counterparts=[CounterpartEntry(category=CounterpartCategory.objects.get(code="party-parent-mother"))] * 2,
    )
    other = make_office()
    log_on(other, make_user(other, "centre-other-coordinator"), None, date(2026, 2, 3))


@pytest.mark.parametrize("period", [FY2025, Q2, Q1_3, FiscalPeriod(2025, 4, 4)], ids=["FY2025", "Q2", "Q1-3", "Q4"])
def test_the_report_equals_the_counts_made_from_the_rows(demo_office, more_rows, period):
    want = expected(demo_office, period)
    assert want.kinds["individual"] and want.kinds["community"] and want.new  # each period has them all

    assert_report_matches(build_centre_report(demo_office, period), want)


def test_on_the_demo_an_earlier_history_and_a_newcomer_move_new(demo_office, more_rows):
    """The demo's 32 clients are all first seen in FY2025; one now has a FY2024 log, one more is new in January."""
    people = build_centre_report(demo_office, FY2025).section(4).rows[0].values
    assert people == {"clients": 33, "new": 32, "contacts": 282 + 3}
    assert build_centre_report(demo_office, FiscalPeriod(2024)).section(4).rows[0].values["new"] == 1
    months = {row.path[0]: row.values for row in build_centre_report(demo_office, FY2025).section(5).rows}
    assert months["1月"] == {"individual": 1, "community": 0, "clients": 1, "new": 1}
    assert months["2月"] == {"individual": 0, "community": 2, "clients": 1, "new": 0}
    assert months["3月"] == {"individual": 1, "community": 0, "clients": 1, "new": 0}


def test_the_header_title_and_kind(demo_office):
    report = build_centre_report(demo_office, Q1_3)

    assert (report.kind, report.title, report.office) == (
        "centre",
        "受付状況",
        "北区医療的ケア児等コーディネーター事業",
    )
    assert (report.business_days, report.out_of_hours, report.activities) == (0, 0, 0)
    assert (report.fiscal_year, report.quarters, report.start, report.end) == (
        2025,
        (1, 3),
        date(2025, 4, 1),
        date(2025, 12, 31),
    )
    want = expected(demo_office, Q1_3)
    assert report.header_lines == (
        "令和7年度 第1～3四半期（2025年4月1日～2025年12月31日）",
        "個別支援 282件・地域支援 149件（計 431件）",
        f"実人数 32人（うち新規 {want.new}人）・延べ 282件",
    )


def test_it_agrees_with_the_quarterly_report(demo_office):
    """The same logs as the 業務報告書: its 実人数 and 相談数, §3 and §5 per leaf are the two kinds summed."""
    centre, quarterly = build_centre_report(demo_office, Q1_3), build_quarterly_report(demo_office, Q1_3)

    assert centre.section(4).rows[0].values["clients"] == quarterly.section(1).total["clients"] == 32
    assert centre.section(4).rows[0].values["contacts"] == quarterly.section(1).total["contacts"] == 282
    assert centre.section(1).total["count"] == quarterly.section(4).total["count"] == 431
    for centre_number, quarterly_number, total in ((2, 5, 463), (3, 3, 434)):
        summed = {key: sum(values.values()) for key, values in by_key(centre.section(centre_number)).items()}
        assert summed == {key: values["count"] for key, values in by_key(quarterly.section(quarterly_number)).items()}
        assert sum(summed.values()) == total


def test_the_months_add_up_to_the_period_but_their_clients_need_not(demo_office):
    report = build_centre_report(demo_office, FY2025)
    months, people = report.section(5), report.section(4).rows[0].values

    assert [row.path for row in months.rows][:3] == [("4月",), ("5月",), ("6月",)]
    assert [row.path for row in months.rows][-1] == ("3月",)
    assert months.total["individual"] + months.total["community"] == report.section(1).total["count"]
    assert months.total["new"] == people["new"]
    assert months.total["clients"] >= people["clients"]  # a client seen in two months is counted in both


def test_a_constant_number_of_queries_whatever_the_period_or_data(demo_office, django_assert_num_queries):
    empty_office = make_office()
    for office, period in ((demo_office, FY2025), (demo_office, Q2), (empty_office, FY2025)):
        with django_assert_num_queries(7):
            build_centre_report(office, period)


# --- 新規 ----------------------------------------------------------------------------------------------------


def test_new_is_the_first_contact_ever_across_fiscal_years(demo_office, coordinator):
    office = make_office()
    staff = make_user(office, "centre-report-coordinator")
    seen_before = make_client(office, name="前年度 一郎", name_kana="ゼンネンド イチロウ")
    first_now = make_client(office, name="今年度 二郎", name_kana="コンネンド ジロウ")
    log_on(office, staff, seen_before, date(2025, 3, 31))
    log_on(office, staff, seen_before, date(2025, 5, 1))
    log_on(office, staff, seen_before, date(2025, 5, 20))
    log_on(office, staff, first_now, date(2025, 4, 1))
    log_on(office, staff, first_now, date(2025, 7, 1))
    log_on(office, staff, None, date(2025, 4, 2))
    # Another office's log never counts, even on the same day.
    log_on(demo_office, coordinator, None, date(2025, 4, 2))

    this_year = build_centre_report(office, FY2025)
    assert this_year.section(4).rows[0].values == {"clients": 2, "new": 1, "contacts": 4}
    months = {row.path[0]: row.values for row in this_year.section(5).rows}
    assert months["4月"] == {"individual": 1, "community": 1, "clients": 1, "new": 1}
    assert months["5月"] == {"individual": 2, "community": 0, "clients": 1, "new": 0}
    assert months["7月"] == {"individual": 1, "community": 0, "clients": 1, "new": 0}
    assert this_year.section(1).total == {"count": 5}

    last_year = build_centre_report(office, FiscalPeriod(2024))
    assert last_year.section(4).rows[0].values == {"clients": 1, "new": 1, "contacts": 1}
    assert {row.path[0]: row.values["new"] for row in last_year.section(5).rows}["3月"] == 1
    # A client is new in one quarter only.
    assert build_centre_report(office, FiscalPeriod(2025, 3, 3)).section(4).rows[0].values["new"] == 0
    assert_report_matches(this_year, expected(office, FY2025))


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def _import_logs(client, rows):
    confirm(client, preview(client, xlsx([LOG_HEADERS, *rows]), "logs.xlsx", "logs"))


def test_an_imported_log_counts_as_a_first_contact(signed_in, demo_office):
    confirm(signed_in, preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)])))
    row = {
        "日付": "2025/6/2",
        "コーディネーター": "coordinator",
        "相談者・相手先": "母",
        "種別": "クレーム",
        "方法": "電話",
        "相談対象者 氏名": "北 花子",
        "相談対象者 フリガナ": "キタ ハナコ",
        "相談対象者 生年月日": "2019/5/15",
    }
    before = build_centre_report(demo_office, FY2025).section(4).rows[0].values

    _import_logs(signed_in, [log_row(**row)])
    report = build_centre_report(demo_office, FY2025)
    assert report.section(4).rows[0].values == {
        "clients": before["clients"] + 1,
        "new": before["new"] + 1,
        "contacts": before["contacts"] + 1,
    }
    assert_report_matches(report, expected(demo_office, FY2025))

    # Older history imported afterwards: her first contact is now in FY2024, so not new in FY2025.
    _import_logs(signed_in, [log_row(**{**row, "日付": "2024/11/5"})])
    assert build_centre_report(demo_office, FY2025).section(4).rows[0].values["new"] == before["new"]
    last_year = build_centre_report(demo_office, FiscalPeriod(2024))
    assert {row.path[0]: row.values["new"] for row in last_year.section(5).rows}["11月"] >= 1
    assert_report_matches(last_year, expected(demo_office, FiscalPeriod(2024)))


# --- the formats ---------------------------------------------------------------------------------------------


@pytest.fixture
def with_last_year(demo_office, coordinator):
    """A few FY2024 logs in the demo office, so that the prior-year column has figures."""
    client = make_client(demo_office, name="昨年 三郎", name_kana="サクネン サブロウ")
    log_on(demo_office, coordinator, client, date(2024, 4, 10))
    log_on(demo_office, coordinator, client, date(2024, 5, 10))
    log_on(demo_office, coordinator, None, date(2024, 6, 10))
    return client


@pytest.mark.parametrize("identifier", sorted(FORMATS))
@pytest.mark.parametrize("compare", [False, True], ids=["alone", "with-last-year"])
def test_every_format_renders_with_and_without_the_prior_year(demo_office, with_last_year, identifier, compare):
    report = build_centre_report(demo_office, FY2025)
    previous = build_centre_report(demo_office, FY2025.previous_year()) if compare else None

    data = FORMATS[identifier].render(report, previous)

    if identifier == "pdf":
        assert data.startswith(b"%PDF")
    elif identifier == "xlsx":
        texts = {cell.value for sheet in load_workbook(BytesIO(data)) for row in sheet.iter_rows() for cell in row}
        assert {"受付状況", "個別支援", "地域支援", "4. 実人数・新規・延べ"} <= texts
        assert ("前年同期" in texts or "前年同期\n個別支援" in texts) == compare
    else:
        text = data.decode("utf-8")
        assert "受付状況" in text and "実人数・新規・延べ" in text
        assert ("前年同期" in text) == (compare and identifier == "html")


def test_the_prior_year_column_shows_last_years_figures(demo_office, with_last_year):
    report = build_centre_report(demo_office, FY2025)
    previous = build_centre_report(demo_office, FY2025.previous_year())

    page = parse(FORMATS["html"].render(report, previous).decode("utf-8"))

    kinds = body_rows(section_table(page, 1))
    assert [[cell.text for cell in row] for row in kinds] == [
        ["個別支援", f"{report.section(1).rows[0].values['count']:,}", "2"],
        ["地域支援", f"{report.section(1).rows[1].values['count']:,}", "1"],
        ["合計", f"{report.section(1).total['count']:,}", "3"],
    ]
    people = body_rows(section_table(page, 4))[0]
    assert [cell.text for cell in people][2::2] == ["1", "1", "2"]  # last year: 実人数, 新規, 延べ
    april = body_rows(section_table(page, 5))[0]
    assert [cell.text for cell in april][0] == "4月"
    assert [cell.text for cell in april][2::2] == ["1", "0", "1", "1"]


@pytest.mark.parametrize("period", [FY2025, Q2], ids=["FY2025", "Q2"])
def test_json_round_trips(demo_office, period):
    report = build_centre_report(demo_office, period)

    data = report_to_dict(report)

    assert data["kind"] == "centre" and data["summary"] == list(report.summary)
    assert report_from_dict(data) == report
