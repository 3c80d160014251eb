"""The list of clients who depend on electricity, by district, to print for disaster preparedness."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.clients.models import Client, ClientStatus
from coordination.clients.selectors import power_dependent_clients
from directory.models import MedicalCareProcedure

from .client_factories import district, make_client, make_guardian, make_office, make_user

pytestmark = pytest.mark.django_db

URL = reverse("client_power_list")


@pytest.fixture
def office():
    return make_office()


@pytest.fixture
def tester(office):
    return make_user(office, "tester")


def test_only_clients_on_powered_devices_are_listed_grouped_by_district(office):
    east, west = district(office, 1), district(office, 2)
    make_client(office, "西 呼吸", "ニシ コキュウ", district=west, has_medical_care=True, procedures=["ventilator"])
    make_client(
        office,
        "東 吸引",
        "ヒガシ キュウイン",
        district=east,
        has_medical_care=True,
        procedures=["suction", "catheterization"],
    )
    make_client(office, "東 酸素", "ヒガシ サンソ", district=east, has_medical_care=True, procedures=["oxygen"])
    make_client(
        office,
        "区外 透析",
        "クガイ トウセキ",
        municipality_outside="板橋区",
        has_medical_care=True,
        procedures=["dialysis"],
    )
    make_client(office, "不明 吸引", "フメイ キュウイン", has_medical_care=True, procedures=["suction"])
    make_client(
        office, "導尿 のみ", "ドウニョウ ノミ", district=east, has_medical_care=True, procedures=["catheterization"]
    )
    make_client(office, "ケア なし", "ケア ナシ", district=east)
    make_client(
        office,
        "終結 呼吸",
        "シュウケツ コキュウ",
        district=east,
        has_medical_care=True,
        procedures=["ventilator"],
        status=ClientStatus.CLOSED,
    )
    make_client(
        office,
        "見守り 酸素",
        "ミマモリ サンソ",
        district=west,
        has_medical_care=True,
        procedures=["oxygen"],
        status=ClientStatus.WATCHING,
    )

    groups = power_dependent_clients(office)
    assert [(g.label, [c.name for c in g.clients]) for g in groups] == [
        (east.name, ["東 吸引", "東 酸素"]),
        (west.name, ["西 呼吸", "見守り 酸素"]),
        ("区外（板橋区）", ["区外 透析"]),
        ("住所地不明", ["不明 吸引"]),
    ]


def test_a_procedure_marked_as_powered_by_the_admin_joins_the_list(office):
    make_client(office, "導尿 のみ", "ドウニョウ ノミ", has_medical_care=True, procedures=["catheterization"])
    assert power_dependent_clients(office) == []
    MedicalCareProcedure.objects.filter(code="catheterization").update(uses_powered_device=True)
    assert [c.name for g in power_dependent_clients(office) for c in g.clients] == ["導尿 のみ"]


def test_the_page_shows_guardian_phones_procedures_and_the_date_for_print(client, office, tester):
    person = make_client(
        office,
        "東 吸引",
        "ヒガシ キュウイン",
        district=district(office, 1),
        has_medical_care=True,
        procedures=["suction", "catheterization"],
    )
    make_guardian(person, "東 由美", relationship="母", phone="090-1234-5678", is_primary=True)
    make_guardian(person, "東 健", relationship="父", phone="")
    client.force_login(tester)
    page = client.get(URL).content.decode()
    today = timezone.localdate()
    assert (
        f'電源を要する医療的ケアのある相談対象者一覧<span class="power-list__date">（{today.year}年{today.month}月{today.day}日現在）'
        in page
    )
    for text in [
        "東地区",
        "東 吸引",
        "<strong>吸引</strong>",
        "導尿",
        "東 由美（母）",
        "090-1234-5678",
        "東 健（父） 電話なし",
    ]:
        assert text in page
    assert "css/power-list.css" in page
    assert "1人" in page


def test_the_print_stylesheet_is_a4_without_navigation():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "power-list.css").read_text()
    assert "size: A4" in css
    assert ".site-header" in css and "display: none" in css


def test_coordinators_and_supervisors_may_open_it_ward_staff_may_not(client, coordinator, supervisor, ward_staff):
    client.force_login(coordinator)
    assert client.get(URL).status_code == 200
    client.force_login(supervisor)
    assert client.get(URL).status_code == 200
    client.force_login(ward_staff)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_another_offices_clients_are_not_on_it(client, coordinator, office):
    make_client(office, "他区 呼吸", "タク コキュウ", has_medical_care=True, procedures=["ventilator"])
    client.force_login(coordinator)
    assert "他区 呼吸" not in client.get(URL).content.decode()


def test_the_page_needs_few_queries_with_200_clients(client, office, tester, django_assert_max_num_queries):
    ventilator = MedicalCareProcedure.objects.get(code="ventilator")
    clients = Client.objects.bulk_create(
        Client(
            office=office,
            name=f"対象者{i:03d}",
            name_kana=f"タイショウシャ{i:03d}",
            birth_date=date(2015, 1, 1),
            district=district(office, 1 + i % 2) if i % 10 else None,
            has_medical_care=True,
        )
        for i in range(200)
    )
    Client.procedures.through.objects.bulk_create(
        Client.procedures.through(client=c, medicalcareprocedure=ventilator) for c in clients
    )
    for person in clients[:50]:
        make_guardian(person, phone="090-0000-0000")
    client.force_login(tester)
    with django_assert_max_num_queries(12):  # 10 + 2: the access log's chain head and row
        response = client.get(URL)
    assert sum(len(group.clients) for group in response.context["groups"]) == 200
