"""次の対応の書き出し: what the list's filters select, all pages, formula-escaped, counted in the access log."""

import csv
import io
from datetime import timedelta
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessEvent
from coordination.followups import services
from coordination.followups.models import FollowUp

from .client_factories import make_client, make_log, make_office, make_user
from .referral_factories import a_provider, make_referral

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LIST = reverse("follow_up_list")
COLUMNS = ["期限", "次の対応", "担当", "相談対象者", "きっかけの記録の日付", "つなぎ先", "状態", "対応済みの日", "結果"]


def export_url(file_format):
    return reverse("follow_up_export", args=[file_format])


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


@pytest.fixture
def sample(office, tester, colleague):
    """Mine: one overdue from a log, one open from a referral, one done; and one open of a colleague."""
    aoki = make_client(office, "青木 一郎", "アオキ イチロウ")
    log = make_log(
        aoki,
        tester,
        TODAY - timedelta(days=10),
        follow_up_action="母に電話で確認",
        follow_up_due_on=TODAY - timedelta(days=1),
    )
    referral = make_referral(office, tester, client=aoki, on=TODAY - timedelta(days=5))

    def create(action, assignee, **links):
        return services.follow_up_create(office=office, created_by=tester, action=action, assignee=assignee, **links)

    done = create("主治医の意見を聞く", tester, client=aoki, due_on=TODAY - timedelta(days=3))
    services.follow_up_done(follow_up=done, expected_version=1, user=tester, done_on=TODAY, outcome="週3回で了承")
    return {
        "overdue": log.follow_ups.get(),
        "log": log,
        "open": create("回答を催促する", tester, referral=referral, due_on=TODAY + timedelta(days=5)),
        "referral": referral,
        "done": done,
        "colleagues": create("同僚の対応", colleague, client=aoki, due_on=TODAY + timedelta(days=1)),
    }


def read_xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def test_the_export_holds_the_rows_the_filters_select_with_the_lists_columns(signed_in, sample):
    # Unfiltered, the list (and so the export) is my open follow-ups, nearest due date first.
    response = signed_in.get(export_url("xlsx"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert quote(f"次の対応の一覧_{TODAY:%Y-%m-%d}.xlsx") in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert rows[0] == COLUMNS
    assert [row[1] for row in rows[1:]] == ["母に電話で確認", "回答を催促する"]
    overdue, from_referral = (dict(zip(COLUMNS, row, strict=True)) for row in rows[1:])
    assert overdue["期限"].date() == TODAY - timedelta(days=1)
    assert (overdue["担当"], overdue["相談対象者"], overdue["状態"]) == ("試験", "青木 一郎", "期限切れ")
    assert overdue["きっかけの記録の日付"].date() == sample["log"].occurred_on
    assert (overdue["つなぎ先"], overdue["対応済みの日"], overdue["結果"]) == (None, None, None)
    assert from_referral["つなぎ先"] == a_provider().name and from_referral["状態"] == "未完了"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "done"}, ["done"]),
        ({"whose": "office", "state": "open", "page": "2"}, ["overdue", "colleagues", "open"]),
        ({"whose": "office", "state": "all", "sort": "-done"}, ["done", "colleagues", "open", "overdue"]),
        ({"state": "overdue"}, ["overdue"]),
    ],
)
def test_the_export_follows_the_filters_and_sort_over_all_pages(signed_in, sample, params, expected):
    rows = read_csv(signed_in.get(export_url("csv"), params))
    assert [row[1] for row in rows[1:]] == [sample[name].action for name in expected]
    listed = signed_in.get(LIST, {key: value for key, value in params.items() if key != "page"})
    assert [row[1] for row in rows[1:]] == [follow_up.action for follow_up in listed.context["page"]]


def test_a_done_follow_up_exports_its_date_and_outcome(signed_in, sample):
    rows = read_csv(signed_in.get(export_url("csv"), {"state": "done"}))
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert (row["状態"], row["対応済みの日"], row["結果"]) == ("完了", TODAY.isoformat(), "週3回で了承")


def test_another_offices_follow_ups_are_never_exported(signed_in, sample, demo_office):
    assert FollowUp.objects.for_office(demo_office).exists()
    rows = read_csv(signed_in.get(export_url("csv"), {"whose": "office", "state": "all"}))
    assert len(rows) == 1 + 4


def test_the_export_and_its_row_count_are_in_the_access_log(signed_in, sample):
    signed_in.get(export_url("csv"), {"whose": "office"})
    event = AccessEvent.objects.filter(url_name="follow_up_export").latest("pk")
    assert (event.action, event.outcome) == ("export", "success")
    assert event.object_ids["rows"] == 3


def test_the_export_escapes_formulas(signed_in, office, tester):
    person = make_client(office, "=HYPERLINK(1)", "ア")
    follow_up = services.follow_up_create(
        office=office, created_by=tester, action="+SUM(A1)", assignee=tester, client=person, due_on=TODAY
    )
    services.follow_up_done(follow_up=follow_up, expected_version=1, user=tester, done_on=TODAY, outcome="@x")
    rows = read_csv(signed_in.get(export_url("csv"), {"state": "done"}))
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert (row["次の対応"], row["相談対象者"], row["結果"]) == ("'+SUM(A1)", "'=HYPERLINK(1)", "'@x")
    sheet = openpyxl.load_workbook(io.BytesIO(signed_in.get(export_url("xlsx"), {"state": "done"}).getvalue())).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_ward_staff_may_not_export(client, ward_staff):
    client.force_login(ward_staff)
    for file_format in ("xlsx", "csv"):
        assert client.get(export_url(file_format)).status_code == 403


def test_a_supervisor_may_export(client, office, sample):
    client.force_login(make_user(office, "boss", Role.SUPERVISOR))
    assert client.get(export_url("csv"), {"whose": "office"}).status_code == 200


def test_a_bad_filter_exports_nothing_and_goes_back_to_the_list(signed_in, sample):
    response = signed_in.get(export_url("csv"), {"state": "lost"})
    assert response.status_code == 302
    assert response["Location"].startswith(LIST)
    assert not AccessEvent.objects.filter(url_name="follow_up_export", outcome="success").exists()


def test_an_unknown_format_is_not_found(signed_in):
    assert signed_in.get(export_url("pdf")).status_code == 404


def test_the_list_offers_the_export_of_what_it_shows(signed_in, sample):
    page = signed_in.get(LIST, {"whose": "office", "page": "1"}).text
    assert f'href="{export_url("xlsx")}?whose=office"' in page
    assert f'href="{export_url("csv")}?whose=office"' in page
    assert "絞り込んだ3件すべてを書き出す" in page


def test_exporting_200_follow_ups_makes_a_fixed_number_of_queries(
    signed_in, office, tester, django_assert_max_num_queries
):
    people = [make_client(office, f"対象 {n}", f"タイショウ {n}") for n in range(10)]
    logs = [make_log(people[n], tester, TODAY - timedelta(days=n)) for n in range(10)]
    referrals = [make_referral(office, tester, client=people[n]) for n in range(5)]
    FollowUp.objects.bulk_create(
        FollowUp(
            office=office,
            client=people[n % 10],
            contact_log=logs[n % 10] if n % 3 == 0 else None,
            referral=referrals[n % 5] if n % 3 == 1 else None,
            action=f"対応 {n}",
            due_on=TODAY + timedelta(days=n % 20 - 10),
            done_on=TODAY if n % 4 == 0 else None,
            assignee=tester,
            created_by=tester,
        )
        for n in range(200)
    )
    # Session, user, permissions (2), office; the follow-ups with their client, log, referral (and
    # its provider) and assignee; the role and the access log's chain head and row. However many rows.
    with django_assert_max_num_queries(9):
        response = signed_in.get(export_url("csv"), {"state": "all"})
    assert len(read_csv(response)) == 1 + 200
