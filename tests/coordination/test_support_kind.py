"""個別支援 / 地域支援: a log with a client is 個別 and one without is 地域 unless chosen otherwise."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from coordination.clients.models import Client
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, SupportKind
from coordination.logs.services import CounterpartEntry, contact_log_create, contact_log_update
from directory.models import CounterpartCategory

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
