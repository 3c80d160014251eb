"""Follow-ups (次の対応): closed with an outcome, reopened, reassigned, moved; listed, and closed from the home page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from coordination.clients.models import Client
from coordination.followups import services
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog

from .client_factories import make_client, make_log, make_office, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def a_client(demo_office) -> Client:
    return Client.objects.for_office(demo_office).order_by("pk").first()


@pytest.fixture
def follow_up(demo_office, coordinator, a_client) -> FollowUp:
    return services.follow_up_create(
        office=demo_office,
        created_by=coordinator,
        action="訪問看護ステーションに回数を確認",
        due_on=TODAY + timedelta(days=3),
        client=a_client,
    )


@pytest.fixture
def stranger():
    office = make_office()
    person = make_client(office, "他区 太郎", "タク タロウ")
    colleague = make_user(office, "elsewhere")
    log = make_log(person, colleague, date(2025, 5, 1), follow_up_action="他区の対応", follow_up_due_on=TODAY)
    return log.follow_ups.get()


# --- services ------------------------------------------------------------------------------------


def test_closing_records_the_date_the_outcome_and_who_did_it(follow_up, coordinator):
    done = services.follow_up_done(
        follow_up=follow_up, expected_version=1, user=coordinator, done_on=TODAY, outcome="週3回に決まった"
    )
    assert (done.done_on, done.outcome, done.version) == (TODAY, "週3回に決まった", 2)
    latest = done.history.order_by("-history_id").first()
    assert (latest.history_user, latest.done_on) == (coordinator, TODAY)
    assert FollowUp.objects.open().filter(pk=follow_up.pk).count() == 0


def test_a_done_date_in_the_future_is_refused_and_nothing_changes(follow_up, coordinator):
    with pytest.raises(ValidationError) as error:
        services.follow_up_done(
            follow_up=follow_up, expected_version=1, user=coordinator, done_on=TODAY + timedelta(days=1), outcome="x"
        )
    assert error.value.message_dict["done_on"] == [
        "完了日に未来の日付は入れられません。今日か、それより前の日にしてください。"
    ]
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.version) == (None, 1)


def test_closing_twice_is_refused_in_japanese(follow_up, coordinator):
    services.follow_up_done(follow_up=follow_up, expected_version=1, user=coordinator, done_on=TODAY, outcome="済")
    with pytest.raises(ValidationError, match="完了済みです"):
        services.follow_up_done(follow_up=follow_up, expected_version=2, user=coordinator, done_on=TODAY, outcome="済")


def test_a_stale_version_is_refused_as_a_conflict(follow_up, coordinator):
    services.follow_up_update(
        follow_up=follow_up,
        expected_version=1,
        user=coordinator,
        action="電話で確認",
        due_on=None,
        assignee=coordinator,
    )
    with pytest.raises(services.FollowUpConflict):
        services.follow_up_done(follow_up=follow_up, expected_version=1, user=coordinator, done_on=TODAY, outcome="x")


def test_reopening_clears_the_date_and_outcome_and_keeps_them_in_the_history(follow_up, coordinator):
    services.follow_up_done(follow_up=follow_up, expected_version=1, user=coordinator, done_on=TODAY, outcome="済")
    reopened = services.follow_up_reopen(follow_up=follow_up, expected_version=2, user=coordinator)
    assert (reopened.done_on, reopened.outcome, reopened.version) == (None, "", 3)
    assert [record.outcome for record in reopened.history.order_by("history_id")] == ["", "済", ""]
    with pytest.raises(ValidationError, match="まだ完了していません"):
        services.follow_up_reopen(follow_up=follow_up, expected_version=3, user=coordinator)


def test_reassigning_takes_an_active_colleague_of_the_office_only(follow_up, coordinator, demo_office, stranger):
    colleague = make_user(demo_office, "colleague")
    moved = services.follow_up_update(
        follow_up=follow_up,
        expected_version=1,
        user=coordinator,
        action="保育課に確認",
        due_on=TODAY + timedelta(days=10),
        assignee=colleague,
    )
    assert (moved.assignee, moved.due_on, moved.action) == (colleague, TODAY + timedelta(days=10), "保育課に確認")
    with pytest.raises(ValidationError) as error:
        services.follow_up_update(
            follow_up=follow_up,
            expected_version=2,
            user=coordinator,
            action="x",
            due_on=None,
            assignee=stranger.assignee,
        )
    assert error.value.message_dict["assignee"] == ["担当は同じ事業所の職員から選んでください。"]


# --- the log form writes the log's follow-up -------------------------------------------------------


def test_the_log_follow_up_is_created_changed_and_removed_with_its_log(demo_office, coordinator, a_client):
    log = make_log(a_client, coordinator, TODAY)
    created = services.log_follow_up_save(log=log, user=coordinator, action="書類を送る", due_on=TODAY)
    assert (created.contact_log, created.client, created.assignee) == (log, a_client, coordinator)
    changed = services.log_follow_up_save(
        log=log, user=coordinator, action="書類を送る", due_on=TODAY + timedelta(days=2), expected_version=1
    )
    assert (changed.pk, changed.version) == (created.pk, 2)
    with pytest.raises(services.FollowUpConflict):
        services.log_follow_up_save(log=log, user=coordinator, action="別の対応", due_on=None, expected_version=1)
    assert services.log_follow_up_save(log=log, user=coordinator, action="", due_on=None, expected_version=2) is None
    assert not log.follow_ups.exists()


def _log_form(a_client, provider_category, **fields):
    from coordination.logs.models import ActivityType, ContactMethod

    data = {
        "occurred_on": TODAY.isoformat(),
        "started_at": "10:00",
        "client": str(a_client.pk),
        "method": str(ContactMethod.objects.get(code="phone").pk),
        "activity_types": [str(ActivityType.objects.get(code="listening").pk)],
        "counterparts-TOTAL_FORMS": "1",
        "counterparts-INITIAL_FORMS": "0",
        "counterparts-0-category": str(provider_category.pk),
        "save": "1",
    }
    data.update(fields)
    return data


def test_a_log_saved_with_a_follow_up_gets_one_and_a_refused_follow_up_saves_no_log(client, coordinator, a_client):
    from directory.models import CounterpartCategory

    mother = CounterpartCategory.objects.get(code="party-parent-mother")
    client.force_login(coordinator)
    count = ContactLog.objects.count()
    due = (TODAY + timedelta(days=7)).isoformat()
    response = client.post(
        reverse("log_create"), _log_form(a_client, mother, follow_up_action="主治医に確認", follow_up_due_on=due)
    )
    assert response.status_code == 302
    log = ContactLog.objects.order_by("-pk").first()
    assert log.follow_ups.get().action == "主治医に確認"

    refused = _log_form(a_client, mother, follow_up_due_on=due)
    response = client.post(reverse("log_create"), refused)
    assert response.status_code == 200
    assert "対応期限を入れる場合は次の対応を入力してください。" in response.text
    assert ContactLog.objects.count() == count + 1

    edit = _log_form(a_client, mother, follow_up_action="主治医に電話で確認", follow_up_due_on=due)
    edit.update(version=str(log.version), follow_up_version="1")
    assert client.post(reverse("log_update", args=[log.pk]), edit).status_code == 302
    assert log.follow_ups.get().action == "主治医に電話で確認"


# --- pages -----------------------------------------------------------------------------------------


def test_ward_staff_are_refused_and_another_offices_follow_up_is_not_found(
    client, ward_staff, coordinator, follow_up, stranger
):
    client.force_login(ward_staff)
    assert client.get(reverse("follow_up_list")).status_code == 403
    assert client.get(reverse("follow_up_update", args=[follow_up.pk])).status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("follow_up_update", args=[stranger.pk])).status_code == 404
    response = client.post(
        reverse("follow_up_done", args=[stranger.pk]), {"version": "1", "done_on": TODAY.isoformat(), "outcome": "x"}
    )
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.done_on is None


def test_supervisors_read_the_list_but_cannot_close(client, supervisor, follow_up):
    client.force_login(supervisor)
    page = client.get(reverse("follow_up_list") + "?whose=office")
    assert page.status_code == 200 and "訪問看護ステーションに回数を確認" in page.text
    assert 'action="/follow-ups/' not in page.text
    response = client.post(
        reverse("follow_up_done", args=[follow_up.pk]), {"version": "1", "done_on": TODAY.isoformat(), "outcome": "x"}
    )
    assert response.status_code == 403


def test_closing_with_a_plain_form_goes_back_to_next(client, coordinator, follow_up):
    client.force_login(coordinator)
    response = client.post(
        reverse("follow_up_done", args=[follow_up.pk]),
        {"version": "1", "done_on": TODAY.isoformat(), "outcome": "週3回に決まった", "next": "/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    follow_up.refresh_from_db()
    assert follow_up.outcome == "週3回に決まった"


def test_closing_without_an_outcome_says_so_and_changes_nothing(client, coordinator, follow_up):
    client.force_login(coordinator)
    response = client.post(reverse("follow_up_done", args=[follow_up.pk]), {"version": "1", "done_on": "x"})
    assert response.status_code == 400
    assert "結果を入力してください" in response.text
    json = client.post(
        reverse("follow_up_done", args=[follow_up.pk]), {"version": "1"}, headers={"accept": "application/json"}
    )
    assert json.status_code == 400 and json.json()["done"] is False
    follow_up.refresh_from_db()
    assert follow_up.done_on is None


def test_the_home_pages_script_closes_a_row_and_gets_json(client, coordinator, follow_up):
    client.force_login(coordinator)
    response = client.post(
        reverse("follow_up_done", args=[follow_up.pk]),
        {"version": "1", "done_on": TODAY.isoformat(), "outcome": "済"},
        headers={"accept": "application/json"},
    )
    assert response.json() == {
        "done": True,
        "message": "次の対応「訪問看護ステーションに回数を確認」を完了にしました。",
    }


def test_a_next_to_another_site_is_not_followed(client, coordinator, follow_up):
    client.force_login(coordinator)
    response = client.post(
        reverse("follow_up_done", args=[follow_up.pk]),
        {"version": "1", "done_on": TODAY.isoformat(), "outcome": "済", "next": "https://example.com/"},
    )
    assert response["Location"] == reverse("follow_up_list")


def test_the_edit_page_reassigns_and_a_stale_save_shows_the_conflict(client, coordinator, demo_office, follow_up):
    colleague = make_user(demo_office, "colleague2", Role.COORDINATOR, last_name="同僚")
    client.force_login(coordinator)
    page = client.get(reverse("follow_up_update", args=[follow_up.pk]))
    assert 'name="version" value="1"' in page.text
    data = {"action": "保育課に確認", "due_on": "", "assignee": str(colleague.pk), "version": "1"}
    assert client.post(reverse("follow_up_update", args=[follow_up.pk]), data).status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.assignee, follow_up.due_on, follow_up.version) == (colleague, None, 2)

    stale = dict(data, action="わたしの変更")
    response = client.post(reverse("follow_up_update", args=[follow_up.pk]), stale)
    assert response.status_code == 409
    assert "ほかの人がこの次の対応を先に更新しました" in response.text
    assert 'name="version" value="2"' in response.text and 'value="わたしの変更"' in response.text


def test_the_create_page_is_prefilled_from_the_log(client, coordinator, demo_office):
    log = ContactLog.objects.for_office(demo_office).filter(client__isnull=False).order_by("pk").first()
    client.force_login(coordinator)
    page = client.get(reverse("follow_up_create") + f"?log={log.pk}")
    assert f'name="log" value="{log.pk}"' in page.text and log.client.name in page.text
    data = {"action": "書類を送る", "due_on": "", "assignee": str(coordinator.pk), "log": str(log.pk)}
    response = client.post(reverse("follow_up_create"), data)
    assert response["Location"] == reverse("client_detail", args=[log.client_id])
    made = FollowUp.objects.order_by("-pk").first()
    assert (made.contact_log, made.client, made.created_by) == (log, log.client, coordinator)


def test_done_follow_ups_stay_on_the_client_page_with_their_outcome(client, coordinator, follow_up, a_client):
    services.follow_up_done(follow_up=follow_up, expected_version=1, user=coordinator, done_on=TODAY, outcome="済んだ")
    client.force_login(coordinator)
    page = client.get(reverse("client_detail", args=[a_client.pk])).text
    assert "訪問看護ステーションに回数を確認" in page and "済んだ" in page
    assert reverse("follow_up_reopen", args=[follow_up.pk]) in page


def many_follow_ups(office, user, count=200):
    person = Client.objects.for_office(office).order_by("pk").first()
    log = ContactLog.objects.for_office(office).order_by("pk").first()
    FollowUp.objects.bulk_create(
        FollowUp(
            office=office,
            client=person,
            contact_log=log if number % 2 else None,
            action=f"対応 {number}",
            due_on=TODAY + timedelta(days=number % 20 - 10),
            assignee=user,
            created_by=user,
        )
        for number in range(count)
    )


def test_the_list_with_200_follow_ups_makes_a_fixed_number_of_queries(
    client, coordinator, demo_office, django_assert_max_num_queries
):
    many_follow_ups(demo_office, coordinator)
    client.force_login(coordinator)
    url = reverse("follow_up_list") + "?state=all&sort=-due"
    client.get(url)
    # Session, user, permissions, the count and the page (with client, log, referral, assignee joined),
    # then the access log's chain head and row: the same however many rows.
    with django_assert_max_num_queries(10):
        page = client.get(url)
    assert len(page.context["page"].object_list) == 50
    rows = page.text.count("data-follow-up-row")
    assert rows == 50


def test_the_home_page_lists_my_follow_ups_due_overdue_first_with_a_constant_number_of_queries(
    client, coordinator, demo_office, django_assert_max_num_queries
):
    many_follow_ups(demo_office, coordinator)
    client.force_login(coordinator)
    client.get(reverse("home"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    rows = list(response.context["follow_ups"])
    assert len(rows) == 20 and rows[0].due_on < TODAY
    assert [row.due_on for row in rows] == sorted(row.due_on for row in rows)
    assert 'accesskey="n"' in response.text and "記録を入力" in response.text
    assert reverse("follow_up_done", args=[rows[0].pk]) in response.text


def test_the_supervisors_home_counts_the_offices_overdue_follow_ups(client, supervisor, coordinator, demo_office):
    before = FollowUp.objects.for_office(demo_office).overdue(TODAY).count()
    many_follow_ups(demo_office, coordinator, count=20)
    client.force_login(supervisor)
    page = client.get(reverse("home")).text
    assert f"期限切れの次の対応が事業所全体で {before + 10}件あります。" in page
