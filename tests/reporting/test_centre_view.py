"""The centre page (センター職員): one row per office, from the finalized 業務報告書 or live (速報).

Three offices with data: the demo office (the seed's FY2025 Q1–Q3) and two small ones made here
with other hours, a Saturday, closures, an extra opening day, events, imported history and
community work. Each live row must equal what build_quarterly_report gives that office (§1's
totals, 時間外, §5), and 新規 / 個別 / 地域 what the logs give directly.
"""

import csv
import io
from datetime import date, time

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Office, OfficeCalendarDay, OfficeHours, User
from accounts.roles import Role
from coordination.clients.models import Client
from coordination.events.models import Event, EventKind
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, SupportKind
from coordination.logs.selectors import new_client_ids
from reporting.centre_selectors import centre_table, top_types, type_label
from reporting.quarterly import build_quarterly_report
from reporting.services import report_finalize
from tests.coordination.client_factories import make_client, make_office, make_user

pytestmark = pytest.mark.django_db

PERIOD = FiscalPeriod(2025, 1, 3)
QUERY = "fiscal_year=2025&quarters=1-3"


@pytest.fixture
def centre(db) -> User:
    return User.objects.get(username="centre")


def _hours(office, weekdays, opens, closes):
    OfficeHours.objects.bulk_create(
        OfficeHours(office=office, weekday=day, opens_at=opens, closes_at=closes) for day in weekdays
    )


def _log(office, coordinator, client, day, started_at, *types, support_kind=None, method="phone"):
    log = ContactLog.objects.create(
        office=office,
        client=client,
        coordinator=coordinator,
        occurred_on=day,
        started_at=started_at,
        method=ContactMethod.objects.get(code=method),
        support_kind=support_kind or SupportKind.default_for(client),
    )
    log.activity_types.set(ActivityType.objects.filter(code__in=types))
    return log


def _office(name, municipality):
    office = make_office(name)
    office.municipality = municipality
    office.save(update_fields=["municipality"])
    return office


@pytest.fixture
def offices(demo_office):
    """The demo office and two more, each with logs in and before the period."""
    # 板橋: weekdays 8:30–17:15, a closure on a Wednesday, history from FY2024 (imported).
    itabashi = _office("板橋区医療的ケア児等コーディネーター事業", "板橋区")
    _hours(itabashi, range(5), time(8, 30), time(17, 15))
    OfficeCalendarDay.objects.create(office=itabashi, date=date(2025, 6, 11), is_open=False, reason="研修")
    staff = make_user(itabashi, "itabashi-coord")
    old, new, other = (
        make_client(itabashi, name, f"カナ{n}") for n, name in enumerate(["古川 一", "新井 二", "他田 三"])
    )
    _log(itabashi, staff, old, date(2024, 11, 5), time(10), "listening")  # imported history: not 新規 in FY2025
    _log(itabashi, staff, old, date(2025, 5, 12), time(8, 0), "listening", "respite")  # before opening
    _log(itabashi, staff, old, date(2025, 5, 12), time(8, 30), "listening")  # at opening: within
    _log(itabashi, staff, new, date(2025, 5, 13), time(17, 15), "respite")  # at closing: out of hours
    _log(itabashi, staff, new, date(2025, 6, 11), time(10), "listening")  # the closure: out of hours
    _log(itabashi, staff, new, date(2025, 6, 14), None, "application")  # a Saturday, no time: out of hours
    _log(itabashi, staff, new, date(2025, 7, 1), None, "application")  # no time on an open day: within
    _log(itabashi, staff, None, date(2025, 7, 2), time(19), "info-providing")  # community work, evening
    _log(itabashi, staff, other, date(2025, 8, 4), time(9), "listening", support_kind=SupportKind.COMMUNITY)
    _log(itabashi, staff, other, date(2026, 1, 8), time(9), "listening")  # after the period
    Event.objects.create(
        office=itabashi, kind=EventKind.MEETING, name="協議会", held_on=date(2025, 6, 2), started_at=time(18)
    )
    Event.objects.create(
        office=itabashi, kind=EventKind.TRAINING, name="研修", held_on=date(2025, 6, 3), started_at=time(10)
    )
    Event.objects.create(
        office=itabashi, kind=EventKind.OTHER, name="その他", held_on=date(2025, 6, 4), started_at=time(20)
    )

    # 練馬: Monday–Saturday 9:00–18:00, one extra Sunday morning opening, one client new in Q3.
    nerima = _office("練馬区医療的ケア児等コーディネーター事業", "練馬区")
    _hours(nerima, range(6), time(9), time(18))
    OfficeCalendarDay.objects.create(
        office=nerima, date=date(2025, 9, 7), is_open=True, opens_at=time(10), closes_at=time(12), reason="相談会"
    )
    staff = make_user(nerima, "nerima-coord")
    first, second = make_client(nerima, "練馬 一", "ネリマ イチ"), make_client(nerima, "練馬 二", "ネリマ ニ")
    _log(nerima, staff, first, date(2025, 4, 5), time(17, 30), "home-medical-nursing")  # a Saturday, within
    _log(nerima, staff, first, date(2025, 9, 7), time(11), "home-medical-nursing", "listening")  # extra day, within
    _log(nerima, staff, first, date(2025, 9, 7), time(13), "home-medical-nursing")  # extra day, after it
    _log(nerima, staff, second, date(2025, 10, 20), time(18), "respite", method="visit-home")  # at closing
    _log(nerima, staff, None, date(2025, 11, 3), time(10), "info-providing")  # 文化の日: closed
    Event.objects.create(
        office=nerima, kind=EventKind.OUTREACH, name="周知", held_on=date(2025, 9, 7), started_at=time(9)
    )
    return [demo_office, itabashi, nerima]


def report_figures(office, period=PERIOD) -> dict:
    """What the centre page must show for a live office: from the 業務報告書 and from the logs."""
    report = build_quarterly_report(office, period)
    sections = {section.number: section for section in report.sections}
    logs = ContactLog.objects.filter(office=office, occurred_on__range=(period.start, period.end))
    types = {type_label(row.path): row.values["count"] for row in sections[5].rows}
    return {
        "clients": sum(row.values["clients"] for row in sections[1].rows),
        "contacts": sum(row.values["contacts"] for row in sections[1].rows),
        "out_of_hours": report.out_of_hours,
        "type_counts": types,
        "new_clients": new_client_ids(office, period.start, period.end).count(),
        "individual": sum(log.support_kind == SupportKind.INDIVIDUAL for log in logs),
        "community": sum(log.support_kind == SupportKind.COMMUNITY for log in logs),
    }


def shown(row) -> dict:
    names = ("clients", "contacts", "out_of_hours", "type_counts", "new_clients", "individual", "community")
    return {name: getattr(row, name) for name in names}


def test_each_live_row_equals_the_offices_report_and_its_logs(offices):
    table = centre_table(PERIOD)
    rows = {row.office: row for row in table.rows}
    assert set(rows) >= set(offices)
    for office in offices:
        assert rows[office].is_preliminary
        assert shown(rows[office]) == report_figures(office), office.name


def test_the_hand_made_offices_counts_as_written_in_the_fixture(offices):
    rows = {row.office.name: row for row in centre_table(PERIOD).rows}
    itabashi, nerima = (
        rows["板橋区医療的ケア児等コーディネーター事業"],
        rows["練馬区医療的ケア児等コーディネーター事業"],
    )
    # 板橋: 3 clients, 7 logs with one; 8:00, 17:15, the closure, the Saturday, 19:00 and the 18:00 meeting.
    assert (itabashi.clients, itabashi.contacts, itabashi.out_of_hours) == (3, 7, 6)
    assert (itabashi.new_clients, itabashi.individual, itabashi.community) == (2, 6, 2)
    # Two types tie at 2: the report's order decides (レスパイト comes before 申請支援 in §5).
    assert itabashi.top_types == [
        ("生活上の相談・不安の傾聴", 4),
        ("レスパイト（入所・入院など）", 2),
        ("申請支援（代行や記入支援など）", 2),
    ]
    # 練馬: 13:00 after the extra day's hours, 18:00 at closing, the holiday; the 9:00 outreach on the extra day.
    assert (nerima.clients, nerima.contacts, nerima.out_of_hours) == (2, 4, 4)
    assert (nerima.new_clients, nerima.individual, nerima.community) == (2, 4, 1)


def test_the_total_row_sums_every_office(offices):
    table = centre_table(PERIOD)
    total = table.total
    for name in ("clients", "new_clients", "contacts", "individual", "community", "out_of_hours"):
        assert total[name] == sum(getattr(row, name) for row in table.rows)
    summed = {}
    for row in table.rows:
        for label, count in row.type_counts.items():
            summed[label] = summed.get(label, 0) + count
    assert total["top_types"] == top_types(summed)
    assert len(total["top_types"]) == 3


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_the_offices(offices):
    three = _queries(lambda: centre_table(PERIOD, offices))
    for number in range(4, 9):
        office = _office(f"追加事業所{number}", f"第{number}区")
        _hours(office, range(number % 3, 5), time(8 + number % 2), time(17))
        staff = make_user(office, f"extra-{number}")
        client = make_client(office, f"追加 {number}", f"ツイカ {number}")
        _log(office, staff, client, date(2025, 5, 7), time(7), "listening")
    everyone = list(Office.objects.order_by("name"))
    assert len(everyone) == 8
    assert _queries(lambda: centre_table(PERIOD, everyone)) == three


def test_a_finalized_office_shows_its_finalized_figures_and_the_others_are_preliminary(offices, supervisor):
    demo_office = offices[0]
    before = report_figures(demo_office)
    version = report_finalize(office=demo_office, period=PERIOD, user=supervisor)
    # A log added after finalizing counts in the live figures, not in the finalized ones.
    client = Client.objects.filter(office=demo_office).first()
    _log(demo_office, supervisor, client, date(2025, 6, 1), time(21), "listening")  # a Sunday evening
    rows = {row.office: row for row in centre_table(PERIOD).rows}
    finalized = rows[demo_office]
    assert not finalized.is_preliminary and finalized.version.pk == version.pk
    assert finalized.contacts == before["contacts"] == report_figures(demo_office)["contacts"] - 1
    assert finalized.out_of_hours == before["out_of_hours"] == report_figures(demo_office)["out_of_hours"] - 1
    assert finalized.clients == before["clients"]
    assert finalized.type_counts == before["type_counts"]
    # Not in a 業務報告書: counted now (the new log is 個別支援).
    assert finalized.individual == before["individual"] + 1
    assert all(rows[office].is_preliminary for office in offices[1:])


def test_a_new_draft_after_finalizing_makes_the_office_preliminary_again(offices, supervisor):
    from reporting.services import report_draft_open

    demo_office = offices[0]
    report_finalize(office=demo_office, period=PERIOD, user=supervisor)
    report_draft_open(office=demo_office, period=PERIOD, user=supervisor)
    row = next(row for row in centre_table(PERIOD).rows if row.office == demo_office)
    assert row.is_preliminary
    # A version of another period (Q1 alone) does not stand for Q1–Q3 either.
    report_finalize(office=demo_office, period=FiscalPeriod(2025, 1, 1), user=supervisor)
    assert next(row for row in centre_table(PERIOD).rows if row.office == demo_office).is_preliminary


def text_of(response) -> str:
    return response.content.decode()


def test_the_centre_page_shows_every_office_with_速報_and_the_footnote(client, centre, offices):
    client.force_login(centre)
    response = client.get(f"{reverse('centre:index')}?{QUERY}")
    assert response.status_code == 200
    page = text_of(response)
    for office in offices:
        assert office.name in page
    assert page.count("速報</strong>") == 3
    assert "合計（3事業所）" in page
    assert "新規・個別支援・地域支援は業務報告書にない項目" in page
    # Counts only: no client's name, no log's text.
    for name in Client.objects.values_list("name", flat=True):
        assert name not in page


def test_the_centre_signs_in_to_its_page_and_its_menu(client, centre):
    client.force_login(centre)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("centre:index")
    page = text_of(client.get(reverse("centre:index")))
    assert "事業所別集計" in page
    assert reverse("client_list") not in page and reverse("log_list") not in page


def test_the_export_has_every_row_and_the_total_with_formula_text_escaped(client, centre, offices):
    office = offices[1]
    office.name = '=HYPERLINK("http://example.com","x")'
    office.save(update_fields=["name"])
    client.force_login(centre)
    response = client.get(f"{reverse('centre:export', args=['csv'])}?{QUERY}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:8] == ["事業所", "区市町村", "実人数", "新規", "延べ", "個別支援", "地域支援", "時間外"]
    assert rows[-1][0] == "合計" and len(rows) == 1 + 3 + 1
    names = [row[0] for row in rows[1:-1]]
    assert "'" + office.name in names and office.name not in names
    table = centre_table(PERIOD)
    assert rows[-1][2:8] == [str(table.total[name]) for name in ("clients", "new_clients", "contacts")] + [
        str(table.total[name]) for name in ("individual", "community", "out_of_hours")
    ]

    response = client.get(f"{reverse('centre:export', args=['xlsx'])}?{QUERY}")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "'" + office.name in [cell.value for cell in sheet["A"]]
    assert client.get(reverse("centre:export", args=["ods"])).status_code == 404


def test_the_centre_downloads_each_finalized_file_byte_for_byte(client, centre, supervisor, offices):
    version = report_finalize(office=offices[0], period=PERIOD, user=supervisor)
    client.force_login(centre)
    page = text_of(client.get(f"{reverse('centre:index')}?{QUERY}"))
    assert "確定 第1版" in page
    for format in ("html", "xlsx", "pdf", "json"):
        url = reverse("centre:version_file", args=[version.pk, format])
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == version.file(format)
        assert "attachment" in response["Content-Disposition"]
    assert client.get(reverse("centre:version_file", args=[version.pk, "docx"])).status_code == 404
    assert client.get(reverse("centre:version_file", args=[version.pk + 1000, "pdf"])).status_code == 404


@pytest.mark.parametrize("username", ["coordinator", "supervisor", "ward"])
def test_an_offices_roles_get_403_on_the_centre_pages(client, username, supervisor, offices):
    version = report_finalize(office=offices[0], period=PERIOD, user=supervisor)
    client.force_login(User.objects.get(username=username))
    assert client.get(reverse("centre:index")).status_code == 403
    assert client.get(reverse("centre:export", args=["csv"])).status_code == 403
    assert client.get(reverse("centre:version_file", args=[version.pk, "pdf"])).status_code == 403


def test_the_centre_gets_403_on_every_page_with_a_client_a_log_or_a_name(client, centre, demo_office):
    client.force_login(centre)
    log = ContactLog.objects.filter(office=demo_office).first()
    person = Client.objects.filter(office=demo_office).first()
    for url in [
        reverse("client_list"),
        reverse("client_detail", args=[person.pk]),
        reverse("log_list"),
        reverse("log_detail", args=[log.pk]),
        reverse("need_list"),
        reverse("referral_list"),
        reverse("follow_up_list"),
        reverse("event_list"),
        reverse("reporting:quarterly"),
        reverse("access_log"),
        reverse("office_settings:user_list"),
        reverse("directory:provider_list"),
    ]:
        assert client.get(url).status_code == 403, url


def test_the_centre_role_is_a_group_with_only_the_centre_permission(centre):
    group = Group.objects.get(name="センター職員")
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert granted == {"reporting.view_centre"}
    assert centre.role == Role.CENTRE and centre.office is None
