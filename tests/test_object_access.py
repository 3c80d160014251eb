"""Object level: a user of one office gets 404 for every object URL of another office.

Querysets are scoped in one place (`Model.objects.for_office(request.user.office)`); these tests
walk every URL that names a client, log, event or report version, from both sides.
"""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from coordination.events.models import Event, EventKind
from reporting.models import ReportVersion
from tests.coordination.client_factories import make_client, make_log, make_office, make_user

pytestmark = pytest.mark.django_db

PERIOD = "fiscal_year=2025&quarters=1-3"
OBJECT_URLS = [
    "client_detail",
    "client_update",
    "log_detail",
    "log_update",
    "event_detail",
    "event_update",
    "report_version",
]
# Edit pages, which supervisors may not open in any office (403, see config/access.py).
WRITES = {"client_update", "log_update", "event_update"}


@pytest.fixture
def office_b():
    """Office B with its own coordinator and supervisor, a client, a log, an event and a finalized report."""
    office = make_office("板橋区医療的ケア児等コーディネーター事業")
    coordinator = make_user(office, "b-coordinator", Role.COORDINATOR)
    supervisor = make_user(office, "b-supervisor", Role.SUPERVISOR)
    client = make_client(office)
    log = make_log(client, coordinator, date(2025, 6, 2))
    event = Event.objects.create(office=office, kind=EventKind.MEETING, name="板橋区の協議会", held_on=date(2025, 6, 2))
    return {
        "office": office,
        "coordinator": coordinator,
        "supervisor": supervisor,
        "client": client,
        "log": log,
        "event": event,
    }


@pytest.fixture
def finalized_report_of_b(client, office_b):
    client.force_login(office_b["supervisor"])
    client.post(f"{reverse('reporting:finalize')}?{PERIOD}")
    client.logout()
    version = ReportVersion.objects.get(report__office=office_b["office"])
    return version


def url_of(name: str, objects: dict, version: ReportVersion | None = None) -> str:
    if name == "report_version":
        return f"{reverse('reporting:download', args=['json'])}?{PERIOD}&version={version.number}"
    kind = name.split("_")[0]
    return reverse(name, args=[objects[kind].pk])


def test_office_b_has_a_finalized_report_and_office_a_has_none_of_that_number(demo_office, finalized_report_of_b):
    assert finalized_report_of_b.number == 1
    assert not ReportVersion.objects.filter(report__office=demo_office).exists()


@pytest.mark.parametrize("username", ["coordinator", "supervisor", "admin"])
@pytest.mark.parametrize("name", OBJECT_URLS)
def test_a_user_of_office_a_gets_404_for_every_object_url_of_office_b(
    client, django_user_model, office_b, finalized_report_of_b, name, username
):
    client.force_login(django_user_model.objects.get(username=username))
    # A supervisor may edit nothing: the permission check refuses first, for any office (403).
    expected = 403 if username == "supervisor" and name in WRITES else 404
    assert client.get(url_of(name, office_b, finalized_report_of_b)).status_code == expected


@pytest.mark.parametrize("role", ["coordinator", "supervisor"])
@pytest.mark.parametrize("name", OBJECT_URLS)
def test_a_user_of_office_b_opens_its_own_objects(client, office_b, finalized_report_of_b, name, role):
    client.force_login(office_b[role])
    expected = 403 if role == "supervisor" and name in WRITES else 200
    assert client.get(url_of(name, office_b, finalized_report_of_b)).status_code == expected


@pytest.mark.parametrize("name", ["client_update", "log_update", "event_update"])
def test_a_coordinator_of_office_a_cannot_change_office_b_objects_by_posting(client, coordinator, office_b, name):
    client.force_login(coordinator)
    assert client.post(url_of(name, office_b), {"name": "書き換え"}).status_code == 404
    office_b["client"].refresh_from_db()
    office_b["event"].refresh_from_db()
    assert office_b["client"].name == "山田 花子" and office_b["event"].name == "板橋区の協議会"
