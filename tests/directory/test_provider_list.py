import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("directory:provider_list"))
    assert response.status_code == 302


@pytest.mark.parametrize("username", ["ward", "coordinator", "supervisor"])
def test_every_role_with_directory_access_can_search(client, username):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("directory:provider_list"), {"q": "ｱｵﾊﾞ"})
    assert response.status_code == 200
    providers = list(response.context["providers"])
    assert providers
    assert all("アオバ" in p.name_kana for p in providers)


def test_hiragana_finds_the_same_providers_as_katakana(client, ward_staff):
    client.force_login(ward_staff)
    by_hiragana = list(client.get(reverse("directory:provider_list"), {"q": "そよかぜ"}).context["providers"])
    by_katakana = list(client.get(reverse("directory:provider_list"), {"q": "ソヨカゼ"}).context["providers"])
    assert by_hiragana == by_katakana != []


def test_a_user_without_a_role_gets_403(client, demo_office):
    from accounts.models import User

    user = User.objects.create_user("norole", password="a-long-password-1", office=demo_office)
    client.force_login(user)
    assert client.get(reverse("directory:provider_list")).status_code == 403


def test_a_full_page_makes_no_more_queries_than_a_single_result(client, ward_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ward_staff)
    counts = []
    for query in ["", "そよかぜ"]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("directory:provider_list"), {"q": query})
        counts.append((len(response.context["providers"]), len(queries.captured_queries)))
    (full_page, full_queries), (few, few_queries) = counts
    assert full_page == 50 and few < full_page  # a full page of the demo's 331 providers
    assert full_queries == few_queries <= 14
