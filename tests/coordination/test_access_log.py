"""The office's access log for supervisors, and この方の記録を見た人 on a client's page."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent, Action, Outcome
from tests.coordination.client_factories import make_client, make_log, make_office, make_user

pytestmark = pytest.mark.django_db

URL = "/access-log/"


def rows_of(response) -> list:
    assert response.status_code == 200
    return response.context["rows"]


def texts(response) -> list[str]:
    """Each shown row as 「person action screen target」."""
    return [
        f"{row.person} {row.event.get_action_display()} {row.screen} {row.target or ''}".strip()
        for row in rows_of(response)
    ]


@pytest.fixture
def person(demo_office):
    return make_client(demo_office, "森 はるか", "モリ ハルカ")


def test_a_supervisor_reads_the_offices_log_in_japanese_and_the_reading_is_recorded(
    client, coordinator, supervisor, person
):
    client.force_login(coordinator)
    client.get(reverse("client_detail", args=[person.pk]))
    client.force_login(supervisor)
    response = client.get(URL, {"client": person.pk})
    page = response.content.decode()
    assert texts(response) == ["青木 ひかり 閲覧 相談対象者のページ 森 はるか"]
    at = timezone.localtime(rows_of(response)[0].event.occurred_at)
    assert f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}" in page
    assert f'href="{reverse("client_detail", args=[person.pk])}"' in page
    assert "client_detail" not in page and "+0900" not in page
    event = AccessEvent.objects.latest("pk")
    assert (event.username, event.action, event.url_name) == ("supervisor", Action.READ_AUDIT_LOG, "access_log")


@pytest.mark.parametrize("username", ["coordinator", "ward"])
def test_coordinators_and_ward_staff_are_refused_and_the_refusal_is_recorded(client, django_user_model, username):
    client.force_login(django_user_model.objects.get(username=username))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("access_log_export", args=["csv"])).status_code == 403
    event = AccessEvent.objects.latest("pk")
    assert (event.username, event.action, event.outcome) == (username, Action.REFUSED, Outcome.REFUSED)


@pytest.fixture
def office_b():
    office = make_office("板橋区医療的ケア児等コーディネーター事業")
    return {
        "office": office,
        "coordinator": make_user(office, "b-coordinator", Role.COORDINATOR, last_name="板橋"),
        "supervisor": make_user(office, "b-supervisor", Role.SUPERVISOR, last_name="板橋長"),
        "client": make_client(office, "板橋 太郎", "イタバシ タロウ"),
    }


def test_another_offices_events_are_invisible_and_its_client_is_not_found(client, supervisor, office_b):
    client.force_login(office_b["coordinator"])
    client.get(reverse("client_detail", args=[office_b["client"].pk]))
    client.logout()
    client.post(reverse("login"), {"username": "b-coordinator", "password": "wrong"})
    client.force_login(supervisor)
    names = {row.username for row in rows_of(client.get(URL))}
    assert "b-coordinator" not in names and "b-supervisor" not in names
    assert client.get(URL, {"client": office_b["client"].pk}).status_code == 404
    assert client.get(reverse("access_log_export", args=["csv"]), {"client": office_b["client"].pk}).status_code == 404
    client.force_login(office_b["supervisor"])
    shown = texts(client.get(URL, {"person": office_b["coordinator"].pk}))
    assert "板橋 ログイン失敗 ログイン" in shown
    assert "板橋 閲覧 相談対象者のページ 板橋 太郎" in shown


def test_the_filters_select_person_client_action_and_dates(client, coordinator, supervisor, person, demo_office):
    log = make_log(person, coordinator, timezone.localdate())
    client.force_login(coordinator)
    client.get(reverse("log_detail", args=[log.pk]))
    client.get(reverse("client_list"))
    client.force_login(supervisor)
    client.get(reverse("client_detail", args=[person.pk]))
    by_client = texts(client.get(URL, {"client": person.pk}))
    day = timezone.localdate()
    assert by_client == [
        "松田 ゆう 閲覧 相談対象者のページ 森 はるか",
        f"青木 ひかり 閲覧 記録 記録 {day.year}年{day.month}月{day.day}日・森 はるか",
    ]
    assert texts(client.get(URL, {"client": person.pk, "person": coordinator.pk})) == by_client[1:]
    listed = texts(client.get(URL, {"person": coordinator.pk, "action": Action.LIST}))
    assert listed[0] == "青木 ひかり 一覧の閲覧 相談対象者の一覧"
    assert {row.event.action for row in rows_of(client.get(URL, {"person": coordinator.pk, "action": "list"}))} == {
        "list"
    }
    today = day.strftime("%Y/%m/%d")
    assert len(rows_of(client.get(URL, {"client": person.pk, "date_from": today, "date_to": today}))) == 2
    yesterday = (day - timedelta(days=1)).strftime("%Y/%m/%d")
    assert rows_of(client.get(URL, {"client": person.pk, "date_to": yesterday})) == []
    response = client.get(URL, {"date_from": today, "date_to": yesterday})
    assert "期間の終わりは始まりと同じ日か後の日にしてください。" in response.content.decode()
    assert rows_of(response) == []


def test_denied_attempts_stand_out_with_a_mark_and_words(client, supervisor, ward_staff, person):
    client.force_login(ward_staff)
    client.get(reverse("client_detail", args=[person.pk]))
    client.logout()
    client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    client.force_login(supervisor)
    response = client.get(URL, {"refused": "on"})
    rows = rows_of(response)
    assert rows[0].refused and rows[0].person == "青木 ひかり" and rows[0].event.action == Action.SIGN_IN_FAILED
    assert any(row.person == "中西 さとる" and row.event.action == Action.REFUSED for row in rows)
    assert all(row.refused for row in rows)
    page = response.content.decode()
    assert 'class="access-row--refused"' in page and "⚠ </span>拒否（403）" in page and "⚠ </span>拒否</span>" in page


def test_a_hundred_rows_a_page_in_a_fixed_number_of_queries(
    client, supervisor, coordinator, person, django_assert_max_num_queries
):
    log = make_log(person, coordinator, timezone.localdate())
    AccessEvent.objects.bulk_create(
        AccessEvent(
            user=coordinator,
            username="coordinator",
            role="コーディネーター",
            action=Action.VIEW,
            url_name=name,
            path="/",
            object_ids={"pk": pk},
        )
        for number in range(70)
        for name, pk in [("client_detail", person.pk), ("log_detail", log.pk)]
    )
    client.force_login(supervisor)
    with django_assert_max_num_queries(16):
        response = client.get(URL, {"person": coordinator.pk})
    assert len(rows_of(response)) == 100
    assert response.context["page"].paginator.num_pages == 2
    assert "1 / 2 ページ" in response.content.decode()
    assert len(rows_of(client.get(URL, {"person": coordinator.pk, "page": 2}))) == 40


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_export_is_formula_escaped_and_recorded(client, supervisor, coordinator, demo_office):
    hostile = make_client(demo_office, "=HYPERLINK(1)", "ア")
    client.force_login(coordinator)
    client.get(reverse("client_detail", args=[hostile.pk]))
    client.force_login(supervisor)
    rows = read_csv(client.get(reverse("access_log_export", args=["csv"]), {"client": hostile.pk}))
    assert rows[0][:8] == ["日時", "利用者", "ユーザー名", "役割", "操作", "結果", "画面", "対象"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[1][0])
    assert rows[1][1:8] == [
        "青木 ひかり",
        "coordinator",
        "コーディネーター",
        "閲覧",
        "成功",
        "相談対象者のページ",
        "'=HYPERLINK(1)",
    ]
    event = AccessEvent.objects.latest("pk")
    assert (event.action, event.url_name, event.object_ids["rows"]) == (Action.EXPORT, "access_log_export", 1)
    workbook = client.get(reverse("access_log_export", args=["xlsx"]), {"client": hostile.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_admin_reads_every_office_and_chooses_one(client, admin_user, office_b):
    client.force_login(office_b["coordinator"])
    client.get(reverse("client_list"))
    client.force_login(admin_user)
    assert "b-coordinator" in {row.username for row in rows_of(client.get(URL))}
    only_b = rows_of(client.get(URL, {"office": office_b["office"].pk}))
    assert only_b and {row.username for row in only_b} == {"b-coordinator"}
    # Another office's client is named by its number only: the admin reads clients of their own office alone.
    client.force_login(office_b["coordinator"])
    client.get(reverse("client_detail", args=[office_b["client"].pk]))
    client.force_login(admin_user)
    row = rows_of(client.get(URL, {"office": office_b["office"].pk, "action": "view"}))[0]
    assert str(row.target) == f"相談対象者（No.{office_b['client'].pk}・ほかの事業所か削除済み）" and not row.target.url


def test_the_client_page_shows_who_viewed_the_client_to_supervisors_only(client, coordinator, supervisor, person):
    client.force_login(coordinator)
    client.get(reverse("client_detail", args=[person.pk]))
    page = client.get(reverse("client_detail", args=[person.pk])).content.decode()
    assert "この方の記録を見た人" not in page
    client.force_login(supervisor)
    response = client.get(reverse("client_detail", args=[person.pk]))
    page = response.content.decode()
    assert "この方の記録を見た人" in page and "新しい順に10件まで" in page
    assert [row.person for row in response.context["readers"]] == ["青木 ひかり", "青木 ひかり"]
    assert f'href="{URL}?client={person.pk}"' in page


def test_the_client_section_names_logs_and_exports_filtered_by_the_client(client, coordinator, supervisor, person):
    log = make_log(person, coordinator, timezone.localdate())
    client.force_login(coordinator)
    client.get(reverse("log_detail", args=[log.pk]))
    client.get(reverse("log_export", args=["csv"]), {"client": person.pk})
    client.get(reverse("client_detail", args=[make_client(person.office, "別の 人", "ベツ").pk]))
    client.force_login(supervisor)
    readers = client.get(reverse("client_detail", args=[person.pk])).context["readers"]
    assert [(row.event.get_action_display(), row.screen) for row in readers] == [
        ("書き出し", "記録の一覧"),
        ("閲覧", "記録"),
    ]
    assert readers[0].rows == 1 and readers[0].target.url == reverse("client_detail", args=[person.pk])


def test_reading_the_log_changes_no_row_and_the_chain_holds(client, supervisor):
    from django.core.management import call_command

    client.force_login(supervisor)
    client.get(URL)
    client.get(reverse("access_log_export", args=["csv"]))
    out = io.StringIO()
    call_command("verify_access_log", stdout=out)
    assert "改ざんなし" in out.getvalue()


def test_a_refused_try_on_the_client_by_another_office_shows_under_the_client(client, supervisor, person, office_b):
    client.force_login(office_b["coordinator"])
    assert client.get(reverse("client_detail", args=[person.pk])).status_code == 404
    client.force_login(supervisor)
    assert "b-coordinator" not in {row.username for row in rows_of(client.get(URL))}
    shown = rows_of(client.get(URL, {"client": person.pk}))
    assert [(row.person, row.event.action, row.refused) for row in shown] == [("板橋", Action.REFUSED, True)]
    readers = client.get(reverse("client_detail", args=[person.pk])).context["readers"]
    assert [(row.person, row.refused) for row in readers] == [("板橋", True)]


def test_rows_of_hostile_urls_are_shown_without_naming_anything(client, supervisor, coordinator):
    client.force_login(coordinator)
    huge = "9" * 40
    client.get(f"/clients/{huge}/")
    client.get(f"/follow-ups/new/?client={huge}")
    client.force_login(supervisor)
    rows = rows_of(client.get(URL, {"person": coordinator.pk}))
    assert [(row.screen, row.target) for row in rows[:2]] == [("次の対応の登録", None), ("相談対象者のページ", None)]
    assert client.get(URL, {"client": huge}).status_code == 404
