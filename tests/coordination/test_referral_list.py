"""つなぎの一覧: filters, sort, pages, every row a link, and the export of what it shows."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.navigation import menu_for
from accounts.roles import Role
from audit.models import AccessEvent
from coordination.clients import services as client_services
from coordination.clients.models import ConsentMethod
from coordination.referrals.models import Referral
from coordination.referrals.states import ReferralState
from directory.models import Provider, ProviderCategory

from .client_factories import make_client, make_office, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LIST = reverse("referral_list")


def export_url(file_format):
    return reverse("referral_export", args=[file_format])


@pytest.fixture
def office():
    return make_office()


@pytest.fixture
def tester(office):
    return make_user(office, "tester", last_name="試験")


@pytest.fixture
def colleague(office):
    return make_user(office, "colleague", last_name="同僚")


@pytest.fixture
def signed_in(client, tester):
    client.force_login(tester)
    return client


def nurse_kind():
    return ProviderCategory.objects.get(code="visiting-nurse")


def make_referral(client_, coordinator, state=ReferralState.REQUESTED, *, provider=None, **fields) -> Referral:
    fields.setdefault("state_changed_on", TODAY - timedelta(days=3))
    if provider is None:
        fields.setdefault("organization_name", "どこかの機関")
    return Referral.objects.create(
        office=client_.office,
        client=client_,
        provider=provider,
        organization_category=provider.category if provider else nurse_kind(),
        purpose=fields.pop("purpose", "利用の相談"),
        coordinator=coordinator,
        created_by=coordinator,
        state=state,
        **fields,
    )


def listed(response) -> list[Referral]:
    return [row["referral"] for row in response.context["rows"]]


@pytest.fixture
def sample(office, tester, colleague):
    """Five referrals: overdue, waiting in time, accepted, declined and one under a withdrawn consent."""
    aoki = make_client(office, "青木 一郎", "アオキ イチロウ")
    ueda = make_client(office, "上田 花", "ウエダ ハナ")
    provider = Provider.objects.filter(is_active=True).order_by("pk").first()
    consent = client_services.consent_create(
        client=ueda,
        recorded_by=tester,
        given_on=TODAY - timedelta(days=60),
        categories=[nurse_kind()],
        given_by="母",
        method=ConsentMethod.WRITTEN,
    )
    overdue = make_referral(
        aoki,
        tester,
        requested_on=TODAY - timedelta(days=20),
        answer_due_on=TODAY - timedelta(days=1),
        purpose="期限切れ",
    )
    waiting = make_referral(
        ueda,
        colleague,
        provider=provider,
        requested_on=TODAY - timedelta(days=2),
        answer_due_on=TODAY,
        state_changed_on=TODAY - timedelta(days=2),
        purpose="回答待ち",
    )
    accepted = make_referral(
        aoki, tester, ReferralState.ACCEPTED, answer_due_on=TODAY - timedelta(days=9), purpose="受理"
    )
    declined = make_referral(
        ueda, tester, ReferralState.DECLINED, state_changed_on=TODAY - timedelta(days=30), purpose="辞退"
    )
    flagged = make_referral(ueda, colleague, ReferralState.STARTED, consent=consent, purpose="撤回された")
    client_services.consent_withdraw(consent=consent, expected_version=1, user=tester, withdrawn_on=TODAY)
    return {
        "overdue": overdue,
        "waiting": waiting,
        "accepted": accepted,
        "declined": declined,
        "flagged": flagged,
        "provider": provider,
    }


# --- who may see it ----------------------------------------------------------------------------


def test_ward_staff_may_neither_list_nor_export_referrals(client, ward_staff):
    client.force_login(ward_staff)
    for url in (LIST, export_url("xlsx"), export_url("csv")):
        assert client.get(url).status_code == 403
    assert ("つなぎ", LIST) not in menu_for(ward_staff)


def test_the_header_menu_offers_the_list_to_coordinators_and_supervisors(coordinator, supervisor):
    assert ("つなぎ", LIST) in menu_for(coordinator)
    assert ("つなぎ", LIST) in menu_for(supervisor)


def test_a_supervisor_reads_the_list_but_is_offered_no_new_referral(client, supervisor):
    client.force_login(supervisor)
    response = client.get(LIST)
    assert response.status_code == 200
    assert reverse("referral_create") not in response.content.decode()


def test_another_offices_referrals_are_never_listed_or_exported(signed_in, sample, demo_office):
    theirs = Referral.objects.filter(office=demo_office)
    assert theirs.exists()
    shown = {referral.pk for referral in listed(signed_in.get(LIST, {"per_page": "200"}))}
    assert shown == {sample[name].pk for name in ("overdue", "waiting", "accepted", "declined", "flagged")}
    exported = signed_in.get(export_url("csv")).getvalue().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(exported)))) == 1 + 5


# --- the rows, the filters and the sort --------------------------------------------------------


def test_every_row_links_to_the_referral_and_its_client_newest_change_first(signed_in, sample):
    response = signed_in.get(LIST)
    page = response.content.decode()
    rows = listed(response)
    assert [r.state_changed_on for r in rows] == sorted((r.state_changed_on for r in rows), reverse=True)
    for referral in rows:
        assert reverse("referral_detail", args=[referral.pk]) in page
        assert reverse("client_detail", args=[referral.client_id]) in page
    assert "期限切れ" in page and "同意撤回" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "requested"}, ["overdue", "waiting"]),
        ({"state": "open"}, ["overdue", "waiting", "accepted", "flagged"]),
        ({"state": "declined"}, ["declined"]),
        ({"overdue": "on"}, ["overdue"]),
        ({"consent_withdrawn": "on"}, ["flagged"]),
        ({"overdue": "on", "state": "accepted"}, []),
    ],
)
def test_the_filters_select_what_they_say(signed_in, sample, params, expected):
    assert {r.pk for r in listed(signed_in.get(LIST, params))} == {sample[name].pk for name in expected}


def test_the_provider_and_coordinator_filters(signed_in, sample, colleague):
    by_provider = listed(signed_in.get(LIST, {"provider": sample["provider"].pk}))
    assert [r.pk for r in by_provider] == [sample["waiting"].pk]
    by_colleague = listed(signed_in.get(LIST, {"coordinator": colleague.pk}))
    assert {r.pk for r in by_colleague} == {sample["waiting"].pk, sample["flagged"].pk}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"state": "lost"}, "状態は一覧から選んでください。"),
        ({"provider": "99999999"}, "つなぎ先は一覧から選んでください。"),
        ({"coordinator": "abc"}, "担当コーディネーター"),
        ({"sort": "name"}, "並び順は一覧から選んでください。"),
        ({"per_page": "7"}, "表示件数は一覧から選んでください。"),
    ],
)
def test_a_bad_filter_gets_a_japanese_message(signed_in, sample, params, message):
    response = signed_in.get(LIST, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_bad_filter_exports_nothing_and_goes_back_to_the_list(signed_in, sample):
    response = signed_in.get(export_url("csv"), {"state": "lost"})
    assert response.status_code == 302
    assert response["Location"].startswith(LIST)


def test_the_sorts(signed_in, sample):
    by_due = listed(signed_in.get(LIST, {"sort": "due"}))
    dues = [r.answer_due_on for r in by_due]
    assert dues[: dues.index(None)] == sorted(d for d in dues if d) and set(dues[dues.index(None) :]) == {None}
    by_kana = listed(signed_in.get(LIST, {"sort": "kana"}))
    assert [r.client.name_kana for r in by_kana] == sorted(r.client.name_kana for r in by_kana)
    assert by_kana[0].client.name == "青木 一郎"


def test_the_list_pages_50_at_a_time(signed_in, office, tester):
    person = make_client(office)
    Referral.objects.bulk_create(
        [
            Referral(
                office=office,
                client=person,
                organization_name=f"機関{n}",
                organization_category=nurse_kind(),
                purpose="相談",
                coordinator=tester,
                created_by=tester,
                state=ReferralState.DRAFT,
                state_changed_on=TODAY - timedelta(days=n),
            )
            for n in range(60)
        ]
    )
    first = signed_in.get(LIST)
    assert len(listed(first)) == 50
    assert 'aria-label="ページ送り"' in first.content.decode()
    assert len(listed(signed_in.get(LIST, {"page": 2}))) == 10


def test_the_list_with_200_referrals_on_the_page_makes_a_fixed_number_of_queries(
    signed_in, office, tester, django_assert_max_num_queries
):
    people = [make_client(office, f"対象 {n}", f"タイショウ {n}") for n in range(20)]
    providers = list(Provider.objects.select_related("category").order_by("pk")[:10])
    consent = client_services.consent_create(
        client=people[0],
        recorded_by=tester,
        given_on=TODAY - timedelta(days=9),
        categories=[nurse_kind()],
        given_by="母",
        method=ConsentMethod.WRITTEN,
    )
    Referral.objects.bulk_create(
        [
            Referral(
                office=office,
                client=people[n % 20],
                provider=providers[n % 10],
                organization_category=providers[n % 10].category,
                purpose="相談",
                coordinator=tester,
                created_by=tester,
                state=ReferralState.REQUESTED,
                state_changed_on=TODAY - timedelta(days=n % 30),
                requested_on=TODAY - timedelta(days=n % 30),
                answer_due_on=TODAY - timedelta(days=n % 7 - 3),
                consent=consent if n % 3 == 0 else None,
            )
            for n in range(200)
        ]
    )
    # Session, user, permissions (2), office, role (the menu); the count and the page's rows with
    # their client, organization, coordinator and consent; the two filter lists (coordinators,
    # providers); the access log's chain head and row. However many rows the page shows.
    with django_assert_max_num_queries(12):
        response = signed_in.get(LIST, {"per_page": "200"})
    assert len(listed(response)) == 200


# --- the export --------------------------------------------------------------------------------


def read_xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_export_writes_what_the_list_shows_and_is_counted_in_the_access_log(signed_in, sample):
    response = signed_in.get(export_url("xlsx"), {"state": "open", "sort": "kana", "page": "2"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(response)
    assert rows[0][:6] == ["相談対象者", "フリガナ", "つなぎ先", "つなぎ先の種別", "目的", "状態"]
    listed_ = listed(signed_in.get(LIST, {"state": "open", "sort": "kana"}))
    assert [row[4] for row in rows[1:]] == [r.purpose for r in listed_]
    row = dict(zip(rows[0], rows[1 + [r.pk for r in listed_].index(sample["overdue"].pk)]))
    assert row["回答期限切れ"] == "期限切れ" and row["状態"] == "依頼済"
    flagged = dict(zip(rows[0], rows[1 + [r.pk for r in listed_].index(sample["flagged"].pk)]))
    assert flagged["同意撤回"] == "同意撤回"
    event = AccessEvent.objects.filter(url_name="referral_export").latest("pk")
    assert event.action == "export"
    assert event.object_ids["rows"] == 4


def test_the_export_escapes_formulas(signed_in, office, tester):
    make_referral(make_client(office, "=HYPERLINK(1)", "ア"), tester, purpose="+SUM(A1)", organization_name="@x")
    content = signed_in.get(export_url("csv")).getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][2] == "'@x"
    assert rows[1][4] == "'+SUM(A1)"
    sheet = openpyxl.load_workbook(io.BytesIO(signed_in.get(export_url("xlsx")).getvalue())).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_unknown_format_is_not_found(signed_in):
    assert signed_in.get(export_url("pdf")).status_code == 404


def test_a_supervisor_may_export(client, office, sample):
    client.force_login(make_user(office, "boss", Role.SUPERVISOR))
    assert client.get(export_url("csv")).status_code == 200
