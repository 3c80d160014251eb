"""個別支援 / 地域支援: a log with a client is 個別 and one without is 地域 unless chosen otherwise."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coordination.clients.models import Client
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, SupportKind
from coordination.logs.selectors import new_client_ids
from coordination.logs.services import CounterpartEntry, contact_log_create, contact_log_update
from directory.models import CounterpartCategory, Provider

from .client_factories import make_client, make_office, make_user
from .test_imports import (
    CLIENT_HEADERS,
    HANAKO,
    LOG_HEADERS,
    client_row,
    confirm,
    import_dir,  # noqa: F401 (an autouse fixture: uploads go to a temporary folder)
    log_row,
    preview,
    xlsx,
)
from .test_log_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_fields(demo_office):
    return {
        "occurred_on": date(2025, 4, 1),
        "started_at": time(10, 30),
        "method": ContactMethod.objects.get(code="phone"),
        "activity_types": [ActivityType.objects.get(code="discharge")],
        "counterparts": [CounterpartEntry(category=CounterpartCategory.objects.get(code="party-parent-mother"))],
    }


@pytest.fixture
def a_client(demo_office):
    return Client.objects.for_office(demo_office).order_by("pk").first()


def test_a_log_about_a_client_is_individual_support_by_default(demo_office, coordinator, log_fields, a_client):
    log = contact_log_create(office=demo_office, coordinator=coordinator, client=a_client, **log_fields)

    log.refresh_from_db()
    assert log.support_kind == SupportKind.INDIVIDUAL
    assert log.get_support_kind_display() == "個別支援"


def test_a_log_without_a_client_is_community_support_by_default(demo_office, coordinator, log_fields):
    log = contact_log_create(office=demo_office, coordinator=coordinator, client=None, **log_fields)

    log.refresh_from_db()
    assert log.get_support_kind_display() == "地域支援"


def test_the_kind_chosen_is_kept_and_is_in_the_history(demo_office, coordinator, log_fields, a_client):
    log = contact_log_create(
        office=demo_office, coordinator=coordinator, client=a_client, support_kind="community", **log_fields
    )
    log = contact_log_update(
        log=log,
        expected_version=log.version,
        user=coordinator,
        client=a_client,
        support_kind=SupportKind.INDIVIDUAL,
        **log_fields,
    )

    assert [record.support_kind for record in log.history.order_by("history_date", "history_id")] == [
        "community",
        "individual",
    ]


def test_an_unknown_kind_is_refused_and_nothing_is_saved(demo_office, coordinator, log_fields):
    before = ContactLog.objects.count()

    with pytest.raises(ValidationError) as error:
        contact_log_create(office=demo_office, coordinator=coordinator, support_kind="other", **log_fields)

    assert "support_kind" in error.value.message_dict
    assert ContactLog.objects.count() == before


def test_the_demo_logs_follow_the_default(demo_office):
    logs = ContactLog.objects.for_office(demo_office)

    assert logs.filter(client__isnull=False).exclude(support_kind=SupportKind.INDIVIDUAL).count() == 0
    assert logs.filter(client__isnull=True).exclude(support_kind=SupportKind.COMMUNITY).count() == 0
    assert logs.filter(support_kind=SupportKind.COMMUNITY).exists()


# --- the log form, page and list ------------------------------------------------------------------


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def provider():
    return Provider.objects.active().order_by("pk").first()


def _new_log(response) -> ContactLog:
    assert response.status_code == 302, response.content.decode()[:3000]
    return ContactLog.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def test_the_form_saves_the_default_when_the_kind_is_left_unchosen(signed_in, a_client):
    with_client = _new_log(signed_in.post(reverse("log_create"), form_data(a_client.pk, provider())))
    without = _new_log(signed_in.post(reverse("log_create"), form_data("none", provider())))

    assert (with_client.support_kind, without.support_kind) == ("individual", "community")


def test_the_form_overrides_the_default_and_the_log_page_shows_it(signed_in, a_client):
    log = _new_log(signed_in.post(reverse("log_create"), form_data(a_client.pk, provider(), support_kind="community")))

    assert log.support_kind == SupportKind.COMMUNITY
    page = signed_in.get(reverse("log_detail", args=[log.pk])).text
    assert "支援の種類" in page and "地域支援" in page


def test_the_edit_form_shows_the_saved_kind_and_changes_it(signed_in, a_client):
    log = _new_log(signed_in.post(reverse("log_create"), form_data(a_client.pk, provider())))
    form = signed_in.get(reverse("log_update", args=[log.pk])).context["form"]
    assert form["support_kind"].value() == "individual"

    data = form_data(a_client.pk, provider(), support_kind="community", version=str(log.version))
    signed_in.post(reverse("log_update", args=[log.pk]), data)

    log.refresh_from_db()
    assert log.support_kind == "community"
    history = signed_in.get(reverse("log_detail", args=[log.pk])).text
    assert "個別支援" in history and "地域支援" in history


def test_an_unknown_kind_from_the_form_gets_a_japanese_error(signed_in, a_client):
    before = ContactLog.objects.count()

    response = signed_in.post(reverse("log_create"), form_data(a_client.pk, provider(), support_kind="both"))

    assert response.status_code == 200
    assert "支援の種類は個別支援か地域支援を選んでください。" in response.text
    assert ContactLog.objects.count() == before


def test_the_log_list_shows_the_kind_and_filters_by_it(signed_in, demo_office):
    everything = signed_in.get(reverse("log_list"), {"per_page": "200"})
    community = signed_in.get(reverse("log_list"), {"support_kind": "community", "per_page": "200"})

    assert "個別支援" in everything.text and "地域支援" in everything.text
    rows = community.context["page"].object_list
    assert rows and all(log.support_kind == "community" for log in rows)
    assert community.context["page"].paginator.count == (
        ContactLog.objects.for_office(demo_office).filter(support_kind="community").count()
    )


# --- imports --------------------------------------------------------------------------------------


@pytest.fixture
def hanako(signed_in, demo_office):
    confirm(signed_in, preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)])))
    return Client.objects.get(office=demo_office, name="北 花子")


def _import_rows(client, rows):
    return preview(client, xlsx([LOG_HEADERS, *rows]), "logs.xlsx", "logs")


def test_an_import_carries_the_kind_and_a_blank_cell_takes_the_default(signed_in, demo_office, hanako):
    common = {"日付": "2025/6/2", "コーディネーター": "coordinator", "相談者・相手先": "母", "種別": "クレーム"}
    named = {"相談対象者 氏名": "北 花子", "相談対象者 フリガナ": "キタ ハナコ", "相談対象者 生年月日": "2019/5/15"}
    rows = [
        log_row(**common, **named, 方法="電話", 支援の種類=""),
        log_row(**common, 方法="電話", 支援の種類=""),
        log_row(**common, **named, 方法="電話", 開始時刻="15:00", 支援の種類="地域支援"),
    ]
    last = ContactLog.objects.order_by("pk").last().pk
    page = _import_rows(signed_in, rows)
    assert not page.context["report"].has_errors, page.context["report"].rows
    confirm(signed_in, page)

    imported = ContactLog.objects.for_office(demo_office).filter(pk__gt=last)
    kinds = sorted((log.client_id is not None, log.started_at is not None, log.support_kind) for log in imported)
    assert kinds == [(False, False, "community"), (True, False, "individual"), (True, True, "community")]

    # The same file again: every row, the defaulted ones too, is the log already saved.
    again = _import_rows(signed_in, rows).context["report"]
    assert not again.has_errors
    confirm(signed_in, _import_rows(signed_in, rows))
    assert imported.count() == 3


def test_an_unknown_kind_in_an_import_is_refused_and_nothing_is_imported(signed_in, hanako):
    common = {
        "日付": "2025/6/2",
        "コーディネーター": "coordinator",
        "相談者・相手先": "母",
        "種別": "クレーム",
        "方法": "電話",
    }
    before = ContactLog.objects.count()

    report = _import_rows(
        signed_in, [log_row(**common, 支援の種類="個別支援"), log_row(**common, 支援の種類="両方")]
    ).context["report"]

    errors = {(row.number, column): message for row in report.error_rows for column, message in row.errors}
    assert errors[(3, "支援の種類")] == "「両方」は選べません。「個別支援」・「地域支援」のどれかを書いてください。"
    assert ContactLog.objects.count() == before


# --- 新規 -----------------------------------------------------------------------------------------


def _log_on(office, coordinator, client, day):
    return contact_log_create(
        office=office,
        coordinator=coordinator,
        occurred_on=day,
        client=client,
        method=ContactMethod.objects.get(code="phone"),
        activity_types=[ActivityType.objects.get(code="discharge")],
        counterparts=[CounterpartEntry(category=CounterpartCategory.objects.get(code="party-parent-mother"))],
    )


@pytest.fixture
def new_office():
    office = make_office()
    return office, make_user(office, "newcomer-coordinator")


FY2025 = (date(2025, 4, 1), date(2026, 3, 31))


def test_a_client_first_seen_in_an_earlier_fiscal_year_is_not_new(new_office):
    office, coordinator = new_office
    seen_before, first_now = (
        make_client(office, name="前年度 一郎", name_kana="ゼンネンド イチロウ"),
        make_client(office, name="今年度 二郎", name_kana="コンネンド ジロウ"),
    )
    _log_on(office, coordinator, seen_before, date(2025, 3, 31))
    _log_on(office, coordinator, seen_before, date(2025, 5, 1))
    _log_on(office, coordinator, first_now, date(2025, 4, 1))
    _log_on(office, coordinator, first_now, date(2025, 6, 1))
    _log_on(office, coordinator, None, date(2025, 4, 2))

    assert set(new_client_ids(office, *FY2025)) == {first_now.pk}
    assert set(new_client_ids(office, date(2024, 4, 1), date(2025, 3, 31))) == {seen_before.pk}
    # A client is new in one period only: the first quarter, not the second.
    assert set(new_client_ids(office, date(2025, 7, 1), date(2025, 9, 30))) == set()


def test_an_imported_earlier_log_makes_a_client_not_new(signed_in, demo_office, hanako):
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
    confirm(signed_in, _import_rows(signed_in, [log_row(**row)]))
    assert hanako.pk in set(new_client_ids(demo_office, *FY2025))

    # Older history imported afterwards: her first contact is now in FY2024.
    confirm(signed_in, _import_rows(signed_in, [log_row(**{**row, "日付": "2024/11/5"})]))
    assert hanako.pk not in set(new_client_ids(demo_office, *FY2025))
    assert hanako.pk in set(new_client_ids(demo_office, date(2024, 4, 1), date(2025, 3, 31)))


def test_new_clients_cost_one_query_however_many_logs(demo_office, django_assert_num_queries):
    with django_assert_num_queries(1):
        ids = set(new_client_ids(demo_office, *FY2025))
    assert ids
    # Used inside another query it is a subquery, not a second round trip.
    with django_assert_num_queries(1):
        assert Client.objects.filter(pk__in=new_client_ids(demo_office, *FY2025)).count() == len(ids)
