"""Only admins read the access log; each reading is itself recorded; filters and pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action, Outcome

pytestmark = pytest.mark.django_db

URL = "/audit/"


@pytest.mark.parametrize("username", ["coordinator", "supervisor", "ward"])
def test_everyone_but_admins_gets_403_and_the_refusal_is_recorded(client, username):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    response = client.get(URL)
    assert response.status_code == 403
    event = AccessEvent.objects.order_by("-id").first()
    assert (event.username, event.action, event.outcome, event.url_name) == (
        username,
        Action.REFUSED,
        Outcome.REFUSED,
        "audit:event_list",
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert reverse("audit:event_list") == URL
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_admin_reads_the_log_and_the_reading_is_recorded(client, admin_user, coordinator):
    AccessEvent.objects.create(
        user=coordinator,
        username="coordinator",
        role="コーディネーター",
        action=Action.VIEW,
        path="/clients/5/",
        url_name="client_detail",
        object_ids={"pk": 5},
    )
    client.force_login(admin_user)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "アクセス記録" in page and "/clients/5/" in page and "+0900" in page
    event = AccessEvent.objects.order_by("-id").first()
    assert (event.username, event.action, event.role) == ("admin", Action.READ_AUDIT_LOG, "システム管理者")


def test_the_menu_leads_supervisors_and_admins_to_the_offices_log_and_others_nowhere(
    client, admin_user, supervisor, coordinator
):
    for user in (admin_user, supervisor):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert 'href="/access-log/">アクセス記録</a>' in page and 'href="/audit/"' not in page
    client.force_login(coordinator)
    assert "アクセス記録" not in client.get(reverse("home")).content.decode()


@pytest.fixture
def some_events(coordinator, supervisor):
    now = timezone.now()
    rows = [
        AccessEvent.objects.create(
            user=coordinator,
            username="coordinator",
            action=Action.VIEW,
            path="/clients/12/",
            url_name="client_detail",
            object_ids={"pk": 12},
        ),
        AccessEvent.objects.create(
            user=supervisor,
            username="supervisor",
            action=Action.VIEW,
            path="/logs/34/",
            url_name="log_detail",
            object_ids={"pk": 34},
        ),
        AccessEvent.objects.create(
            user=supervisor,
            username="supervisor",
            action=Action.DOWNLOAD,
            path="/reports/quarterly/download/pdf/",
            url_name="reporting:download",
            object_ids={"format": "pdf"},
        ),
    ]
    return rows, now


def listed(client, **params) -> list[str]:
    """The fixture's rows the list shows (browser tests commit rows of their own to the session's database)."""
    response = client.get(URL, params)
    assert response.status_code == 200
    ours = {"/clients/12/", "/logs/34/", "/reports/quarterly/download/pdf/"}
    return [f"{event.username} {event.action} {event.path}" for event in response.context["page"] if event.path in ours]


def test_the_list_filters_by_user_action_object_and_dates(client, admin_user, some_events):
    _, now = some_events
    client.force_login(admin_user)
    assert listed(client, username="superv") == [
        "supervisor download /reports/quarterly/download/pdf/",
        "supervisor view /logs/34/",
    ]
    assert listed(client, action="download") == ["supervisor download /reports/quarterly/download/pdf/"]
    assert listed(client, target="12") == ["coordinator view /clients/12/"]
    assert listed(client, target="/logs/") == ["supervisor view /logs/34/"]
    today = timezone.localdate(now)
    assert listed(client, date_from=today.isoformat(), date_to=today.isoformat(), username="coordinator") == [
        "coordinator view /clients/12/"
    ]
    assert listed(client, date_to=(today - timedelta(days=1)).isoformat(), username="coordinator") == []


def test_reversed_dates_get_a_japanese_message(client, admin_user):
    client.force_login(admin_user)
    response = client.get(URL, {"date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert "期間の「から」は「まで」より前の日付にしてください。" in response.content.decode()


def test_the_list_shows_100_a_page_with_a_fixed_number_of_queries(
    client, admin_user, coordinator, django_assert_max_num_queries
):
    AccessEvent.objects.bulk_create(
        [
            AccessEvent(
                user=coordinator,
                username="coordinator",
                action=Action.VIEW,
                path=f"/clients/{n}/",
                object_ids={"pk": n},
            )
            for n in range(200)
        ]
    )
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 100
    assert response.context["page"].paginator.num_pages >= 2
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"page": 2}).status_code == 200
