"""Keeping the directory true: the "to re-verify" page and the one-click "今日確認した"."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import Provider, one_year_before

from .factories import make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale(db):
    return make_provider("ゼット古い訪問看護", verified_on=timezone.localdate() - timedelta(days=500))


def _listed(client) -> list[Provider]:
    response = client.get(reverse("directory:provider_reverify_list"), {"page": 1})
    assert response.status_code == 200
    return list(response.context["page"].paginator.object_list)


def test_one_year_before_handles_the_29th_of_february():
    assert one_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert one_year_before(date(2026, 11, 21)) == date(2025, 11, 21)


@pytest.mark.parametrize("username", ["ward", "coordinator", "supervisor"])
def test_every_directory_reader_sees_the_list(client, username):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    assert client.get(reverse("directory:provider_reverify_list")).status_code == 200


def test_the_list_holds_active_entries_unverified_for_twelve_months_never_verified_first_then_oldest(
    client, coordinator
):
    today = timezone.localdate()
    never = make_provider("ゼット一度も")
    oldest = make_provider("ゼット最古", verified_on=today - timedelta(days=3000))
    year_ago = make_provider("ゼットちょうど一年", verified_on=one_year_before(today))
    fresh = make_provider("ゼット新しい", verified_on=today - timedelta(days=364))
    closed = make_provider("ゼット廃止", verified_on=today - timedelta(days=3000), is_active=False)
    client.force_login(coordinator)
    listed = _listed(client)
    assert listed.index(never) < listed.index(oldest) < listed.index(year_ago)
    assert fresh not in listed and closed not in listed
    assert all(provider.needs_reverification_on(today) for provider in listed)
    assert len(listed) == Provider.objects.active().needing_reverification(today).count()


def test_the_demo_has_entries_to_re_verify_and_fresh_ones():
    today = timezone.localdate()
    stale = Provider.objects.needing_reverification(today).count()
    assert 0 < stale < Provider.objects.count() / 2


def test_a_coordinator_verifies_an_entry_with_one_click_and_it_leaves_the_list(client, coordinator, stale):
    client.force_login(coordinator)
    list_url = reverse("directory:provider_reverify_list")
    response = client.post(reverse("directory:provider_verify", args=[stale.pk]), {"next": list_url})
    assert response.status_code == 302 and response["Location"] == list_url
    stale.refresh_from_db()
    assert stale.verified_on == timezone.localdate()
    assert stale.verified_by == coordinator
    page = client.get(list_url)
    assert "ゼット古い訪問看護 を今日確認済みにしました。" in page.content.decode()
    assert stale not in _listed(client)


def test_verifying_from_the_provider_page_returns_there(client, coordinator, stale):
    client.force_login(coordinator)
    response = client.post(reverse("directory:provider_verify", args=[stale.pk]))
    assert response["Location"] == reverse("directory:provider_detail", args=[stale.pk])
    page = client.get(response["Location"]).content.decode()
    assert "今日確認済みです。" in page
    assert "要再確認" not in page


def test_verify_refuses_a_redirect_to_another_site(client, coordinator, stale):
    client.force_login(coordinator)
    response = client.post(reverse("directory:provider_verify", args=[stale.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("directory:provider_detail", args=[stale.pk])


def test_verify_is_a_post(client, coordinator, stale):
    client.force_login(coordinator)
    assert client.get(reverse("directory:provider_verify", args=[stale.pk])).status_code == 405
    stale.refresh_from_db()
    assert stale.verified_on != timezone.localdate()


@pytest.mark.parametrize("username", ["ward", "supervisor"])
def test_ward_staff_and_supervisors_cannot_verify_and_see_no_button(client, username, stale):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    html = client.get(reverse("directory:provider_reverify_list")).content.decode()
    assert "/verify/" not in html and "今日確認した</button>" not in html
    assert client.post(reverse("directory:provider_verify", args=[stale.pk])).status_code == 403
    stale.refresh_from_db()
    assert stale.verified_on != timezone.localdate()


def test_the_list_page_costs_the_same_queries_with_two_hundred_rows(client, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("directory:provider_reverify_list"))
    old = timezone.localdate() - timedelta(days=800)
    category = Provider.objects.first().category
    Provider.objects.bulk_create(
        Provider(name=f"ゼット大量{n}", category=category, verified_on=old) for n in range(200)
    )
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("directory:provider_reverify_list"))
    assert len(first.captured_queries) == len(second.captured_queries) <= 10
