"""Several offices share one installation; each sees only its own records."""

from datetime import date, time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Office, User
from coordination.clients.models import Client
from coordination.home.selectors import office_quarter_counts
from coordination.logs.models import ContactLog, ContactMethod

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_office():
    office = Office.objects.create(name="板橋区医療的ケア児等コーディネーター事業", municipality="板橋区")
    coordinator = User.objects.create_user(
        "itabashi", password="another-long-password", office=office, last_name="別所"
    )
    coordinator.groups.add(Group.objects.get(name="コーディネーター"))
    client = Client.objects.create(office=office, name="別区 太郎", name_kana="ベック タロウ")
    ContactLog.objects.create(
        office=office,
        occurred_on=date(2025, 5, 12),
        started_at=time(10),
        coordinator=coordinator,
        client=client,
        method=ContactMethod.objects.get(code="phone"),
    )
    return office


def test_an_offices_quarter_counts_ignore_another_office(demo_office, other_office):
    assert sum(q["logs"] for q in office_quarter_counts(demo_office, fiscal_year=2025)) == 431
    assert sum(q["logs"] for q in office_quarter_counts(other_office, fiscal_year=2025)) == 1


def test_a_coordinator_sees_only_their_offices_logs(client, other_office):
    client.force_login(User.objects.get(username="itabashi"))
    response = client.get(reverse("home"))
    logs = list(response.context["recent_logs"])
    assert [log.client.name for log in logs] == ["別区 太郎"]


def test_a_supervisor_does_not_see_another_offices_client(client, supervisor, other_office):
    client.force_login(supervisor)
    response = client.get(reverse("home"))
    assert response.context["client_count"] == 32
    assert "別区 太郎" not in response.content.decode()
