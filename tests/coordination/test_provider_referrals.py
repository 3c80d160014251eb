"""A provider's page for coordinators: this fiscal year's referrals to it, and 「この機関へつなぐ」."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.fiscal import FiscalPeriod, fiscal_year_label, fiscal_year_of
from coordination.referrals.models import Referral
from coordination.referrals.selectors import provider_referral_figures
from coordination.referrals.states import ReferralState
from directory.models import Provider
from tests.directory.factories import make_provider

from .client_factories import make_client, make_office, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = FiscalPeriod(fiscal_year_of(TODAY))
S = ReferralState


@pytest.fixture
def provider(db):
    return make_provider("つなぎ先テスト訪問看護")


def send(office, coordinator, provider, requested_on, state=S.REQUESTED, answered_after=None, **fields) -> Referral:
    client_ = fields.pop("client", None) or make_client(office)
    return Referral.objects.create(
        office=office,
        client=client_,
        provider=provider,
        organization_category=provider.category,
        purpose="利用の相談",
        coordinator=coordinator,
        created_by=coordinator,
        state=state,
        state_changed_on=requested_on,
        requested_on=requested_on,
        answered_on=None if answered_after is None else requested_on + timedelta(days=answered_after),
        decline_reason="空きがない" if state == S.DECLINED else "",
        **fields,
    )


def page(client, user, provider) -> str:
    client.force_login(user)
    response = client.get(reverse("directory:provider_detail", args=[provider.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_figures_count_the_fiscal_year_by_request_date_with_its_first_and_last_day(
    demo_office, coordinator, provider
):
    send(demo_office, coordinator, provider, PERIOD.start, S.ACCEPTED, answered_after=2)
    send(demo_office, coordinator, provider, PERIOD.end, S.DECLINED, answered_after=0)
    send(demo_office, coordinator, provider, PERIOD.start + timedelta(days=10), S.STARTED, answered_after=9)
    send(demo_office, coordinator, provider, PERIOD.start + timedelta(days=20))  # waiting: sent, no answer
    # Outside the year: the day before it starts and the day after it ends.
    send(demo_office, coordinator, provider, PERIOD.start - timedelta(days=1), S.ACCEPTED, answered_after=1)
    send(demo_office, coordinator, provider, PERIOD.end + timedelta(days=1), S.ACCEPTED, answered_after=1)
    # A draft was never sent; another provider's and another office's referrals are not counted.
    Referral.objects.create(
        office=demo_office,
        client=make_client(demo_office),
        provider=provider,
        organization_category=provider.category,
        purpose="準備中",
        coordinator=coordinator,
        created_by=coordinator,
        state=S.DRAFT,
        state_changed_on=TODAY,
    )
    send(demo_office, coordinator, make_provider("別の機関"), PERIOD.start, S.ACCEPTED, answered_after=3)
    elsewhere = make_office()
    send(elsewhere, make_user(elsewhere, "theirs"), provider, PERIOD.start, S.ACCEPTED, answered_after=3)

    figures = provider_referral_figures(demo_office, provider, PERIOD)
    assert (figures.sent, figures.accepted, figures.declined) == (4, 2, 1)
    assert figures.median_days_to_answer == 2  # of 2, 0 and 9 days


def test_a_cancelled_referral_once_sent_counts_as_sent_and_as_accepted_if_it_was(demo_office, coordinator, provider):
    send(demo_office, coordinator, provider, PERIOD.start, S.CANCELLED, answered_after=4)
    send(demo_office, coordinator, provider, PERIOD.start, S.CANCELLED)
    figures = provider_referral_figures(demo_office, provider, PERIOD)
    assert (figures.sent, figures.accepted, figures.declined, figures.median_days_to_answer) == (2, 1, 0, 4)


def test_an_even_number_of_answers_gives_the_middle_of_the_two(client, demo_office, coordinator, provider):
    send(demo_office, coordinator, provider, PERIOD.start, S.ACCEPTED, answered_after=2)
    send(demo_office, coordinator, provider, PERIOD.start, S.DECLINED, answered_after=5)
    assert provider_referral_figures(demo_office, provider, PERIOD).median_days_to_answer == 3.5
    html = page(client, coordinator, provider)
    assert "3.5日" in html


def test_the_page_shows_the_figures_and_a_dash_when_nothing_was_answered(client, demo_office, coordinator, provider):
    send(demo_office, coordinator, provider, PERIOD.start)
    html = page(client, coordinator, provider)
    assert f"この機関へのつなぎ（{fiscal_year_label(PERIOD.fiscal_year)}）" in html
    assert "<dt>依頼した</dt><dd>1件</dd>" in html
    assert "<dt>受理</dt><dd>0件</dd>" in html
    assert "<dt>回答までの日数（中央値）</dt><dd>—</dd>" in html
    assert f"{reverse('referral_list')}?provider={provider.pk}" in html


def test_a_coordinator_gets_a_link_to_start_a_referral_to_the_provider(client, coordinator, provider):
    html = page(client, coordinator, provider)
    link = f"{reverse('referral_create')}?provider={provider.pk}"
    assert link in html
    assert "この機関へつなぐ" in html
    # The link opens the referral form with the provider chosen.
    form = client.get(link).context["form"]
    assert form.initial["provider"] == provider.pk


def test_no_start_link_for_a_provider_no_longer_active(client, coordinator, provider):
    Provider.objects.filter(pk=provider.pk).update(is_active=False)
    html = page(client, coordinator, provider)
    assert "この機関へのつなぎ" in html
    assert "この機関へつなぐ" not in html


def test_a_supervisor_sees_the_figures_but_no_start_link(client, supervisor, provider):
    html = page(client, supervisor, provider)
    assert "この機関へのつなぎ" in html
    assert "この機関へつなぐ" not in html


def test_ward_staff_never_see_the_referrals(client, ward_staff, demo_office, coordinator, provider):
    send(demo_office, coordinator, provider, PERIOD.start, S.ACCEPTED, answered_after=2)
    html = page(client, ward_staff, provider)
    assert "この機関へのつなぎ" not in html
    assert "この機関へつなぐ" not in html
    assert reverse("referral_create") not in html
