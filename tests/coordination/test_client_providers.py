"""A client's page lists the providers that accept the child's medical care at the child's age."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.clients.age_bands import age_on
from directory.selectors import providers_accepting
from tests.directory.factories import ACCEPTED, CONDITIONAL, REFUSED, make_provider

from .client_factories import make_client

pytestmark = pytest.mark.django_db


def _birth_date(age: int) -> date:
    """Born on 1 January: the birthday of this calendar year has always passed."""
    return date(timezone.localdate().year - age, 1, 1)


@pytest.fixture
def child(demo_office):
    kid = make_client(
        demo_office,
        "ゼット 太郎",
        "ゼット タロウ",
        birth_date=_birth_date(4),
        has_medical_care=True,
        procedures=["ventilator", "suction"],
    )
    assert age_on(kid.birth_date, timezone.localdate()) == 4
    return kid


@pytest.fixture
def candidates(db):
    care = {"ventilator": (CONDITIONAL, "看護師在籍日のみ"), "suction": ACCEPTED}
    return {
        "fits": make_provider("ゼット適合ステーション", ages_from=0, ages_to=6, acceptances=care),
        "open ages": make_provider("ゼット年齢指定なし", acceptances={"ventilator": ACCEPTED, "suction": ACCEPTED}),
        "too old": make_provider("ゼット学齢のみ", ages_from=6, ages_to=18, acceptances=care),
        "refuses one": make_provider("ゼット吸引不可", acceptances={"ventilator": ACCEPTED, "suction": REFUSED}),
        "unknown one": make_provider("ゼット吸引未確認", acceptances={"ventilator": ACCEPTED}),
        "inactive": make_provider("ゼット廃止", is_active=False, acceptances=care),
    }


def _section(client, user, kid):
    client.force_login(user)
    response = client.get(reverse("client_detail", args=[kid.pk]))
    assert response.status_code == 200
    return response


def test_the_page_lists_active_providers_accepting_every_procedure_at_the_childs_age(
    client, coordinator, child, candidates
):
    response = _section(client, coordinator, child)
    procedures = list(child.procedures.all())
    every = list(providers_accepting(procedures, 4))
    assert [row["provider"] for row in response.context["accepting_providers"]] == every[:10]
    assert response.context["accepting_more"] == (len(every) > 10)
    assert {provider.name for provider in every if provider.name.startswith("ゼット")} == {
        "ゼット適合ステーション",
        "ゼット年齢指定なし",
    }
    assert "この子の医療的ケアを受け入れる機関" in response.content.decode()


def test_the_conditions_are_shown_and_the_link_searches_the_directory_with_the_same_filters(
    client, coordinator, child, candidates
):
    response = _section(client, coordinator, child)
    url = response.context["accepting_search_url"]
    assert url == f"{reverse('directory:provider_list')}?procedure=ventilator&procedure=suction&age=4"
    listed = client.get(url)
    names = {p.name for p in listed.context["page"].paginator.object_list}
    assert {"ゼット適合ステーション", "ゼット年齢指定なし"} <= names
    assert not {"ゼット学齢のみ", "ゼット吸引不可", "ゼット吸引未確認", "ゼット廃止"} & names
    assert listed.context["page"].paginator.count == len(providers_accepting(list(child.procedures.all()), 4))


def test_a_condition_is_spelt_out_on_the_client_page(client, coordinator, child):
    # Listed first: the first category (病院), and ア comes before every other フリガナ.
    make_provider(
        "ゼット唯一",
        ages_from=4,
        ages_to=4,
        name_kana="ア",
        category_code="hospital",
        acceptances={"ventilator": (CONDITIONAL, "看護師在籍日のみ"), "suction": ACCEPTED},
    )
    response = _section(client, coordinator, child)
    assert "人工呼吸器：条件付き（看護師在籍日のみ）" in response.content.decode()


def test_the_section_costs_one_query(client, coordinator, child, candidates):
    client.force_login(coordinator)
    url = reverse("client_detail", args=[child.pk])
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # The client's referrals name their providers too (a join); the section reads the directory once.
    assert sum('FROM "directory_provider"' in query["sql"] for query in queries.captured_queries) == 1


def test_a_client_without_procedures_gets_no_section(client, coordinator, demo_office):
    kid = make_client(demo_office, "ゼット 花子", "ゼット ハナコ")
    response = _section(client, coordinator, kid)
    assert response.context["accepting_providers"] is None
    assert "この子の医療的ケアを受け入れる機関" not in response.content.decode()


def test_supervisors_see_the_section_too(client, supervisor, child, candidates):
    assert "この子の医療的ケアを受け入れる機関" in _section(client, supervisor, child).content.decode()


def test_each_provider_offers_to_start_a_referral_filled_in_with_the_child_and_the_provider(
    client, coordinator, child, candidates
):
    response = _section(client, coordinator, child)
    html = response.content.decode()
    rows = response.context["accepting_providers"]
    assert html.count("この機関へつなぐ") == len(rows)
    fits = rows[0]["provider"]
    link = f"{reverse('referral_create')}?client={child.pk}&amp;provider={fits.pk}"
    assert link in html
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert (form.initial["client"], form.initial["provider"]) == (child.pk, fits.pk)


def test_supervisors_are_not_offered_to_start_a_referral(client, supervisor, child, candidates):
    html = _section(client, supervisor, child).content.decode()
    assert "この機関へつなぐ" not in html
    assert reverse("referral_create") not in html
