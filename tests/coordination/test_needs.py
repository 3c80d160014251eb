"""The needs register's services: create, edit, a log found again, dated status notes, the name warning."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from coordination.events.models import Event, EventKind
from coordination.needs.models import NeedCategory, NeedStatus
from coordination.needs.selectors import client_names_in, families_affected
from coordination.needs.services import NeedConflict, need_add_log, need_create, need_move, need_update
from tests.coordination.client_factories import make_client, make_log, make_office, make_user
from tests.coordination.need_factories import START, a_category, make_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return make_office()


@pytest.fixture
def user(office):
    return make_user(office, "need-coordinator")


def test_the_need_categories_are_loaded_from_the_reference_list():
    assert list(NeedCategory.objects.values_list("name", flat=True)) == [
        "医療",
        "福祉サービス",
        "保育・教育",
        "移動・外出",
        "レスパイト",
        "災害",
        "制度・手続",
        "情報",
        "その他",
    ]


def test_a_new_need_starts_in_把握_with_its_logs_a_note_and_a_history_record(office, user):
    log = make_log(make_client(office), user, START)
    need = make_need(office, user, logs=[log])
    assert need.status == NeedStatus.FOUND
    assert list(need.logs.all()) == [log]
    assert need.notes.get().status == NeedStatus.FOUND
    assert need.history.count() == 1
    assert need.history.get().history_user == user


def test_a_need_without_a_title_or_category_is_refused_in_japanese_and_nothing_is_saved(office, user):
    with pytest.raises(ValidationError) as error:
        need_create(office=office, created_by=user, title="  ", category=None)
    assert error.value.message_dict == {"title": ["件名を入力してください。"], "category": ["分類を選んでください。"]}
    assert not office.needs.exists()


def test_a_log_of_another_office_is_refused(office, user):
    other = make_office("別区")
    other_log = make_log(make_client(other), make_user(other, "other-coordinator"), START)
    with pytest.raises(ValidationError) as error:
        make_need(office, user, logs=[other_log])
    assert error.value.message_dict == {"log": ["この事業所の記録から選んでください。"]}
    need = make_need(office, user)
    with pytest.raises(ValidationError):
        need_add_log(need=need, log=other_log, user=user)
    assert not need.logs.exists()


def test_the_families_affected_grow_as_the_need_is_found_again(office, user):
    first, second = make_client(office, name="一 家族"), make_client(office, name="二 家族")
    need = make_need(office, user, logs=[make_log(first, user, START)])
    need = need_add_log(need=need, log=make_log(first, user, date(2025, 5, 1)), user=user)
    assert families_affected(need) == 1
    need = need_add_log(need=need, log=make_log(second, user, date(2025, 6, 1)), user=user)
    assert families_affected(need) == 2
    assert need.version == 3
    assert need.history.first().history_change_reason.startswith("記録（")


def test_the_same_log_is_not_added_twice(office, user):
    log = make_log(make_client(office), user, START)
    need = make_need(office, user, logs=[log])
    with pytest.raises(ValidationError) as error:
        need_add_log(need=need, log=log, user=user)
    assert error.value.message_dict == {"log": ["この記録は、すでにこのニーズ・課題に紐づいています。"]}


def test_an_edit_read_at_an_old_version_is_a_conflict_and_changes_nothing(office, user):
    need = make_need(office, user)
    need_update(need=need, expected_version=1, user=user, title="新しい件名", category=a_category())
    with pytest.raises(NeedConflict):
        need_update(need=need, expected_version=1, user=user, title="古い版からの件名", category=a_category())
    need.refresh_from_db()
    assert (need.title, need.version) == ("新しい件名", 2)


def test_a_move_to_会議体へ提起_takes_the_meeting_and_leaves_a_dated_note(office, user):
    need = make_need(office, user)
    meeting = Event.objects.create(office=office, kind=EventKind.MEETING, held_on=date(2025, 6, 10), name="協議会")
    result = need_move(
        need=need,
        expected_version=1,
        user=user,
        status=NeedStatus.RAISED,
        on=date(2025, 6, 10),
        text="協議会で提起",
        raised_at=meeting,
    )
    need = result.need
    assert (need.status, need.raised_at, need.status_changed_on) == (NeedStatus.RAISED, meeting, date(2025, 6, 10))
    assert [(note.status, note.text) for note in need.notes.order_by("on", "id")] == [
        (NeedStatus.FOUND, ""),
        (NeedStatus.RAISED, "協議会で提起"),
    ]
    assert "会議体へ提起" in need.history.first().history_change_reason


def test_a_move_with_a_bad_date_or_another_offices_meeting_changes_nothing(office, user):
    need = make_need(office, user)
    other = make_office("別区")
    meeting = Event.objects.create(office=other, kind=EventKind.MEETING, held_on=date(2025, 6, 10), name="他区")
    with pytest.raises(ValidationError) as error:
        need_move(
            need=need, expected_version=1, user=user, status=NeedStatus.RAISED, on=date(2025, 3, 1), raised_at=meeting
        )
    assert error.value.message_dict["on"] == ["日付は前の経過（2025年4月1日）以降の日にしてください。"]
    assert error.value.message_dict["raised_at"] == ["提起した会議は、この事業所の「会議」から選んでください。"]
    need.refresh_from_db()
    assert (need.status, need.version, need.notes.count()) == (NeedStatus.FOUND, 1, 1)


def test_a_clients_name_in_the_text_is_warned_about_but_saved(office, user):
    make_client(office, name="紡 つむぎ")
    make_client(make_office("別区"), name="他区 太郎")
    result = need_create(
        office=office,
        created_by=user,
        title="紡つむぎさんの通学",
        category=a_category(),
        description="他区 太郎 さんとは別",
    )
    assert result.names_found == ["紡 つむぎ"]
    assert result.need.pk


def test_the_name_search_is_one_query(office, django_assert_num_queries):
    for number in range(5):
        make_client(office, name=f"試験 {number}号")
    with django_assert_num_queries(1):
        assert client_names_in(office, "試験3号と試験 4号") == ["試験 3号", "試験 4号"]


def test_supervisors_and_coordinators_may_keep_needs_ward_staff_not(office):
    assert make_user(office, "c", Role.COORDINATOR).has_perm("coordination.add_need")
    assert make_user(office, "s", Role.SUPERVISOR).has_perm("coordination.change_need")
    assert not make_user(office, "w", Role.WARD_STAFF).has_perm("coordination.view_need")
