"""The directory list's filters, sort, pages and 要再確認 flag."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from directory.models import District, Provider, ProviderCategory

from .factories import ACCEPTED, CONDITIONAL, REFUSED, UNKNOWN, make_provider

pytestmark = pytest.mark.django_db

# Every provider of these tests has this word in its name, so a search for it leaves the demo's out.
WORD = "ゼット試験"


def _search(client, **params) -> list[str]:
    response = client.get(reverse("directory:provider_list"), {"q": WORD, "per_page": "200", **params})
    assert response.status_code == 200
    return [provider.name for provider in response.context["providers"]]


@pytest.fixture
def signed_in(client, ward_staff):
    client.force_login(ward_staff)
    return client


@pytest.fixture
def matrix_providers(db):
    return {
        "both": make_provider(f"{WORD}両方可", acceptances={"ventilator": ACCEPTED, "suction": CONDITIONAL}),
        "ventilator only": make_provider(f"{WORD}呼吸器のみ", acceptances={"ventilator": ACCEPTED, "suction": REFUSED}),
        "conditional both": make_provider(
            f"{WORD}条件付き", acceptances={"ventilator": (CONDITIONAL, "看護師在籍日のみ"), "suction": CONDITIONAL}
        ),
        "unknown": make_provider(f"{WORD}未確認", acceptances={"ventilator": UNKNOWN, "suction": ACCEPTED}),
        "no rows": make_provider(f"{WORD}回答なし"),
    }


def test_ticking_one_procedure_keeps_providers_that_accept_it_or_accept_it_on_conditions(signed_in, matrix_providers):
    assert set(_search(signed_in, procedure=["ventilator"])) == {
        f"{WORD}両方可",
        f"{WORD}呼吸器のみ",
        f"{WORD}条件付き",
    }


def test_ticking_two_procedures_keeps_only_providers_that_accept_both(signed_in, matrix_providers):
    assert set(_search(signed_in, procedure=["ventilator", "suction"])) == {f"{WORD}両方可", f"{WORD}条件付き"}


def test_a_procedure_filter_is_one_query_whatever_the_number_ticked(signed_in, matrix_providers):
    counts = []
    for ticked in (["ventilator"], ["ventilator", "suction"]):
        with CaptureQueriesContext(connection) as queries:
            assert _search(signed_in, procedure=ticked)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_an_unknown_procedure_is_refused_with_a_japanese_message(signed_in, matrix_providers):
    response = signed_in.get(reverse("directory:provider_list"), {"procedure": "no-such-care"})
    assert "医療的ケアは一覧から選んでください。" in response.content.decode()
    assert list(response.context["providers"]) == []


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (0, {"乳児から", "年齢なし", "まで6歳"}),
        (4, {"乳児から", "年齢なし", "3から5歳", "まで6歳"}),
        (6, {"乳児から", "年齢なし", "まで6歳", "6歳から"}),
        (20, {"乳児から", "年齢なし", "6歳から"}),
    ],
)
def test_the_age_filter_keeps_providers_whose_ages_include_it_open_ends_included(signed_in, age, expected):
    for label, ages in {
        "乳児から": (0, None),
        "年齢なし": (None, None),
        "3から5歳": (3, 5),
        "まで6歳": (None, 6),
        "6歳から": (6, None),
    }.items():
        make_provider(f"{WORD}{label}", ages_from=ages[0], ages_to=ages[1])
    assert {name.removeprefix(WORD) for name in _search(signed_in, age=age)} == expected


@pytest.mark.parametrize("age", ["abc", "-1", "121", "4.5"])
def test_a_wrong_age_is_refused_with_a_japanese_message_and_no_results(signed_in, age):
    make_provider(f"{WORD}どこでも")
    response = signed_in.get(reverse("directory:provider_list"), {"q": WORD, "age": age})
    assert response.context["filter"].form.errors["age"]
    assert "年齢" in response.context["filter"].form.errors["age"][0]
    assert list(response.context["providers"]) == []


def test_the_category_filter(signed_in):
    make_provider(f"{WORD}看護")
    make_provider(f"{WORD}保育園", category_code="nursery")
    assert _search(signed_in, category="nursery") == [f"{WORD}保育園"]


def test_the_area_filter_takes_a_district_or_a_municipality(signed_in):
    oji = District.objects.get(code="kita-oji")
    make_provider(f"{WORD}王子", district=oji, municipality="北区")
    make_provider(
        f"{WORD}赤羽", district=District.objects.get(code="kita-akabane")
    )  # municipality from the district only
    make_provider(f"{WORD}板橋", municipality="板橋区")
    assert _search(signed_in, area="district:kita-oji") == [f"{WORD}王子"]
    assert set(_search(signed_in, area="city:北区")) == {f"{WORD}王子", f"{WORD}赤羽"}
    assert _search(signed_in, area="city:板橋区") == [f"{WORD}板橋"]


def test_the_area_choices_list_districts_and_the_municipalities_in_the_directory(signed_in):
    make_provider(f"{WORD}川越", municipality="川越市")
    response = signed_in.get(reverse("directory:provider_list"))
    html = response.content.decode()
    assert '<optgroup label="地区">' in html and '<optgroup label="区市町村">' in html
    assert 'value="city:川越市"' in html
    assert 'value="district:kita-oji"' in html


def test_coordinator_on_staff_filter(signed_in):
    make_provider(f"{WORD}在籍", has_coordinator=True)
    make_provider(f"{WORD}不在")
    assert _search(signed_in, has_coordinator="on") == [f"{WORD}在籍"]
    assert len(_search(signed_in)) == 2


def test_verified_within_twelve_months_filter(signed_in):
    today = timezone.localdate()
    make_provider(f"{WORD}最近", verified_on=today - timedelta(days=30))
    make_provider(f"{WORD}ちょうど一年前", verified_on=today.replace(year=today.year - 1))
    make_provider(f"{WORD}未確認")
    assert _search(signed_in, verified="on") == [f"{WORD}最近"]


def test_inactive_providers_are_hidden_unless_asked_for(signed_in):
    make_provider(f"{WORD}有効")
    make_provider(f"{WORD}廃止", is_active=False)
    assert _search(signed_in) == [f"{WORD}有効"]
    assert set(_search(signed_in, inactive="on")) == {f"{WORD}有効", f"{WORD}廃止"}


def test_sorting_by_verification_puts_never_verified_first_then_the_oldest(signed_in):
    today = timezone.localdate()
    make_provider(f"{WORD}A", name_kana="ア", verified_on=today)
    make_provider(f"{WORD}B", name_kana="イ", verified_on=today - timedelta(days=400))
    make_provider(f"{WORD}C", name_kana="ウ")
    assert _search(signed_in, sort="verified") == [f"{WORD}C", f"{WORD}B", f"{WORD}A"]
    assert _search(signed_in, sort="-verified") == [f"{WORD}A", f"{WORD}B", f"{WORD}C"]
    assert _search(signed_in) == [f"{WORD}A", f"{WORD}B", f"{WORD}C"]


def test_entries_not_verified_for_twelve_months_are_flagged_in_the_list(signed_in):
    today = timezone.localdate()
    make_provider(f"{WORD}新しい", verified_on=today - timedelta(days=364))
    make_provider(f"{WORD}古い", verified_on=today - timedelta(days=366))
    make_provider(f"{WORD}一度も")
    response = signed_in.get(reverse("directory:provider_list"), {"q": WORD})
    flags = {
        provider.name.removeprefix(WORD): provider.needs_reverification for provider in response.context["providers"]
    }
    assert flags == {"新しい": False, "古い": True, "一度も": True}
    assert response.content.decode().count("要再確認</span>") == 2


def test_filters_combine(signed_in, matrix_providers):
    Provider.objects.filter(name=f"{WORD}両方可").update(has_coordinator=True)
    assert _search(signed_in, procedure=["ventilator", "suction"], has_coordinator="on") == [f"{WORD}両方可"]


def test_the_list_has_fifty_a_page_and_pages(signed_in):
    response = signed_in.get(reverse("directory:provider_list"))
    assert len(response.context["providers"]) == 50
    assert response.context["page"].paginator.count == Provider.objects.active().count()
    second = signed_in.get(reverse("directory:provider_list"), {"page": 2})
    assert set(second.context["providers"]).isdisjoint(response.context["providers"])


def test_two_hundred_rows_on_a_page_cost_no_more_queries_than_one(signed_in):
    category = ProviderCategory.objects.get(code="visiting-nurse")
    Provider.objects.bulk_create(
        Provider(
            name=f"{WORD}{number:03d}",
            name_kana=f"ゼットシケン{number:03d}",
            category=category,
            district=District.objects.get(code="kita-oji"),
            ages_from=0,
        )
        for number in range(200)
    )
    counts = []
    for params in ({"q": f"{WORD}000"}, {"q": WORD, "per_page": "200"}):
        with CaptureQueriesContext(connection) as queries:
            response = signed_in.get(reverse("directory:provider_list"), {**params, "procedure": [], "age": 3})
        counts.append((len(response.context["providers"]), len(queries.captured_queries)))
    assert counts[0][0] == 1 and counts[1][0] == 200
    assert counts[0][1] == counts[1][1] <= 14


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("directory:provider_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
