"""The client pickers: the pages do not list the office's clients (their size does not grow with
them), and without JavaScript a typed name or フリガナ picks the one client it names."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from coordination.clients.models import Client
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from coordination.referrals.models import Referral
from directory.models import CounterpartCategory, ProviderCategory

from .client_factories import make_client, make_log, make_office, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def add_clients(office, count: int, start: int = 0) -> None:
    Client.objects.bulk_create(
        Client(office=office, name=f"利用 者{number}", name_kana=f"リヨウ シャ{number}")
        for number in range(start, start + count)
    )


def test_the_log_pages_are_the_same_size_with_30_or_3000_clients(client):
    office = make_office()
    coordinator = make_user(office, "picker-coordinator")
    add_clients(office, 30)
    chosen = Client.objects.for_office(office).order_by("pk").first()
    for day in range(50):
        make_log(chosen, coordinator, TODAY - timedelta(days=day))
    client.force_login(coordinator)
    pages = [
        reverse("log_list"),
        reverse("log_create"),
        reverse("log_update", args=[ContactLog.objects.latest("pk").pk]),
    ]

    def sizes():
        return [len(client.get(url).content) for url in pages]

    with_30 = sizes()
    add_clients(office, 3000, start=30)
    with_3000 = sizes()
    for small, large in zip(with_30, with_3000, strict=True):
        assert abs(large - small) <= small * 0.10, (with_30, with_3000)
    assert chosen.name in client.get(pages[2]).text  # the log's own client is still shown


# --- without JavaScript: a typed name picks the client ------------------------------------------


def log_data(**overrides) -> dict:
    data = {
        "occurred_on": (TODAY - timedelta(days=1)).isoformat(),
        "client": "",
        "client_name": "",
        "method": str(ContactMethod.objects.get(code="phone").pk),
        "activity_types": [str(ActivityType.objects.get(code="discharge").pk)],
        "counterparts-TOTAL_FORMS": "1",
        "counterparts-INITIAL_FORMS": "0",
        "counterparts-MIN_NUM_FORMS": "0",
        "counterparts-MAX_NUM_FORMS": "1000",
        "counterparts-0-category": str(CounterpartCategory.objects.get(code="party-parent-mother").pk),
        "counterparts-0-provider": "",
        "counterparts-0-organization": "",
        "save": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def office_and_user():
    office = make_office()
    make_client(office, name="青山 颯", name_kana="アオヤマ ハヤテ")
    make_client(office, name="青山 颯太", name_kana="アオヤマ ソウタ")
    make_client(office, name="山田 花子", name_kana="ヤマダ ハナコ")
    return office, make_user(office, "typing-coordinator")


@pytest.mark.parametrize("typed", ["やまだ", "ﾔﾏﾀﾞ ﾊﾅｺ", "山田", "青山 颯"])
def test_without_javascript_a_typed_name_picks_the_one_client(client, office_and_user, typed):
    office, user = office_and_user
    client.force_login(user)
    response = client.post(reverse("log_create"), log_data(client_name=typed))
    assert response.status_code == 302
    log = ContactLog.objects.latest("pk")
    expected = "青山 颯" if typed == "青山 颯" else "山田 花子"
    assert log.client.name == expected and log.office == office


def test_without_javascript_a_typed_name_wins_over_the_select(client, office_and_user):
    office, user = office_and_user
    client.force_login(user)
    response = client.post(reverse("log_create"), log_data(client="none", client_name="やまだ"))
    assert response.status_code == 302
    assert ContactLog.objects.latest("pk").client.name == "山田 花子"


def test_without_javascript_a_name_of_no_client_is_explained(client, office_and_user):
    office, user = office_and_user
    other = make_office("別の事業所")
    make_client(other, name="佐藤 別人", name_kana="サトウ ベツジン")
    client.force_login(user)
    count = ContactLog.objects.count()
    response = client.post(reverse("log_create"), log_data(client_name="さとう"))
    assert response.status_code == 200
    assert "「さとう」に当てはまる相談対象者はこの事業所にいません。" in response.text
    assert ContactLog.objects.count() == count


def test_without_javascript_a_name_of_several_clients_lists_them(client, office_and_user):
    _, user = office_and_user
    client.force_login(user)
    count = ContactLog.objects.count()
    response = client.post(reverse("log_create"), log_data(client_name="あおやま"))
    assert response.status_code == 200
    assert "「あおやま」に当てはまる相談対象者が複数います（" in response.text
    assert "青山 颯（アオヤマ ハヤテ）" in response.text and "青山 颯太（アオヤマ ソウタ）" in response.text
    assert ContactLog.objects.count() == count


def test_a_client_of_another_office_is_refused(client, office_and_user):
    _, user = office_and_user
    stranger = make_client(make_office("別の事業所"), name="佐藤 別人", name_kana="サトウ ベツジン")
    client.force_login(user)
    count = ContactLog.objects.count()
    response = client.post(reverse("log_create"), log_data(client=str(stranger.pk)))
    assert response.status_code == 200
    assert "この事業所の相談対象者から選んでください。" in response.text
    assert "佐藤 別人" not in response.text
    assert ContactLog.objects.count() == count


def test_without_javascript_the_log_list_finds_a_clients_logs_by_a_typed_name(client, office_and_user):
    office, user = office_and_user
    hanako = Client.objects.get(office=office, name="山田 花子")
    hayate = Client.objects.get(office=office, name="青山 颯")
    make_log(hanako, user, TODAY, report_summary="花子さんの記録")
    make_log(hayate, user, TODAY, report_summary="颯さんの記録")
    client.force_login(user)
    page = client.get(reverse("log_list"), {"client_name": "ﾔﾏﾀﾞ"})
    assert [log.client for log in page.context["page"]] == [hanako]
    chosen = client.get(reverse("log_list"), {"client": str(hayate.pk)})
    assert [log.client for log in chosen.context["page"]] == [hayate]
    assert "青山 颯（アオヤマ ハヤテ）" in chosen.text  # the chosen client stays shown in the filter


def test_the_log_list_refuses_a_client_of_another_office(client, office_and_user):
    _, user = office_and_user
    stranger = make_client(make_office("別の事業所"), name="佐藤 別人", name_kana="サトウ ベツジン")
    client.force_login(user)
    page = client.get(reverse("log_list"), {"client": str(stranger.pk)})
    assert "相談対象者は一覧から選んでください。" in page.text
    assert "佐藤 別人" not in page.text


# --- the referral form ----------------------------------------------------------------------------


def referral_data(user, **overrides) -> dict:
    data = {"client": "", "client_name": "", "purpose": "相談", "coordinator": user.pk}
    data.update(overrides)
    return data


def test_the_referral_form_lists_no_client_but_the_chosen_one(client, office_and_user):
    office, user = office_and_user
    add_clients(office, 300)
    hanako = Client.objects.get(office=office, name="山田 花子")
    client.force_login(user)
    empty = client.get(reverse("referral_create")).text
    assert "利用 者1" not in empty and "山田 花子" not in empty
    chosen = client.get(reverse("referral_create"), {"client": hanako.pk}).text
    assert "山田 花子" in chosen and "利用 者1" not in chosen


def test_without_javascript_the_referral_form_takes_a_typed_name(client, office_and_user):
    office, user = office_and_user
    client.force_login(user)
    data = referral_data(user, client_name="やまだ", organization_name="みなみ療育センター")
    data["organization_category"] = str(ProviderCategory.objects.order_by("position").first().pk)
    response = client.post(reverse("referral_create"), data)
    assert response.status_code == 302
    assert Referral.objects.latest("pk").client.name == "山田 花子"

    several = client.post(reverse("referral_create"), referral_data(user, client_name="あおやま"))
    assert "「あおやま」に当てはまる相談対象者が複数います（" in several.text
    nobody = client.post(reverse("referral_create"), referral_data(user))
    assert "相談対象者を選んでください。" in nobody.text


def test_the_referral_form_refuses_a_client_of_another_office(client, office_and_user):
    _, user = office_and_user
    stranger = make_client(make_office("別の事業所"), name="佐藤 別人", name_kana="サトウ ベツジン")
    client.force_login(user)
    response = client.post(reverse("referral_create"), referral_data(user, client=str(stranger.pk)))
    assert response.status_code == 200
    assert "この事業所の相談対象者から選んでください。" in response.text and "佐藤 別人" not in response.text
    assert not Referral.objects.filter(client=stranger).exists()


# --- the access log's client filter --------------------------------------------------------------


def test_the_access_log_lists_no_client_and_takes_a_typed_name_without_javascript(client, office_and_user):
    office, _ = office_and_user
    add_clients(office, 300)
    supervisor = make_user(office, "picker-supervisor", Role.SUPERVISOR)
    hanako = Client.objects.get(office=office, name="山田 花子")
    client.force_login(supervisor)
    page = client.get(reverse("access_log"))
    assert page.status_code == 200 and "利用 者1" not in page.text and "山田 花子" not in page.text

    typed = client.get(reverse("access_log"), {"client_name": "ﾔﾏﾀﾞ"})
    assert typed.context["filter"].form.cleaned_data["client"] == hanako
    several = client.get(reverse("access_log"), {"client_name": "あおやま"})
    assert "「あおやま」に当てはまる相談対象者が複数います（" in several.text

    stranger = make_client(make_office("別の事業所"), name="佐藤 別人", name_kana="サトウ ベツジン")
    refused = client.get(reverse("access_log"), {"client": str(stranger.pk)})
    assert refused.status_code == 404 and "佐藤 別人" not in refused.text  # as before: another office's client
