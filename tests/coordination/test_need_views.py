"""The needs register's pages: the list and its filters and export, the need's page, the forms, recording from a log."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.events.models import Event, EventKind
from coordination.needs.models import Need, NeedStatus
from tests.coordination.client_factories import make_client, make_log
from tests.coordination.need_factories import a_category, make_need

pytestmark = pytest.mark.django_db

TODAY_TEXT = f"{timezone.localdate():%Y/%m/%d}"


@pytest.fixture
def log(demo_office, coordinator):
    return make_log(make_client(demo_office, name="紡 つむぎ"), coordinator, date(2025, 6, 2))


@pytest.fixture
def need(demo_office, coordinator, log):
    return make_need(demo_office, coordinator, logs=[log])


def test_ward_staff_may_not_open_the_register(client, ward_staff, need):
    client.force_login(ward_staff)
    for url in (reverse("need_list"), reverse("need_detail", args=[need.pk]), reverse("need_create")):
        assert client.get(url).status_code == 403


def test_the_list_filters_by_status_category_life_stage_and_words(client, coordinator, demo_office, need):
    other = make_need(demo_office, coordinator, title="災害時の電源の確保")
    other.category = a_category("disaster")
    other.life_stages = ["elementary"]
    other.save()
    client.force_login(coordinator)

    def titles(query):
        return [row.title for row in client.get(reverse("need_list"), query).context["needs"]]

    assert set(titles({})) == {need.title, other.title}
    assert titles({"category": a_category("disaster").pk}) == [other.title]
    assert titles({"life_stage": "preschool"}) == [need.title]
    assert titles({"q": "電源"}) == [other.title]
    assert set(titles({"status": "open"})) == {need.title, other.title}
    assert titles({"status": NeedStatus.RESOLVED}) == []


def test_a_bad_filter_gets_a_japanese_message(client, coordinator, need):
    client.force_login(coordinator)
    assert "状態は一覧から選んでください。" in client.get(reverse("need_list"), {"status": "nope"}).text


def test_the_export_is_formula_escaped(client, coordinator, demo_office):
    make_need(demo_office, coordinator, title="=HYPERLINK(1)")
    client.force_login(coordinator)
    response = client.get(reverse("need_export", args=["csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "件名" in text


def test_the_page_shows_the_logs_by_date_and_method_the_families_and_the_notes(client, coordinator, need, log):
    client.force_login(coordinator)
    page = client.get(reverse("need_detail", args=[need.pk])).text
    assert reverse("log_detail", args=[log.pk]) in page
    assert "2025年6月2日 電話" in page
    assert "1家族" in page
    assert "紡 つむぎ" not in page  # the page names no client


def test_a_new_need_with_a_clients_name_is_saved_with_a_warning(client, coordinator, demo_office, log):
    client.force_login(coordinator)
    data = {"title": "紡つむぎさんの通学支援", "category": a_category().pk, "life_stages": ["preschool"]}
    response = client.post(reverse("need_create"), data, follow=True)
    assert Need.objects.filter(office=demo_office, title="紡つむぎさんの通学支援").exists()
    assert "相談対象者の氏名（「紡 つむぎ」）が含まれています" in response.text


def test_a_need_without_a_title_is_refused_in_japanese_and_nothing_is_saved(client, coordinator, demo_office):
    client.force_login(coordinator)
    before = Need.objects.count()
    response = client.post(reverse("need_create"), {"title": "", "category": "999999"})
    assert response.status_code == 400
    assert "件名を入力してください。" in response.text and "分類は一覧から選んでください。" in response.text
    assert Need.objects.count() == before


def test_an_edit_read_at_an_old_version_shows_the_conflict_and_saves_nothing(client, coordinator, need):
    client.force_login(coordinator)
    url = reverse("need_update", args=[need.pk])
    data = {"title": "一度目", "category": need.category_id, "version": 1}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "title": "古い版から"})
    assert response.status_code == 409
    need.refresh_from_db()
    assert (need.title, need.version) == ("一度目", 2)


def test_the_supervisor_raises_a_need_to_a_meeting_with_a_dated_note(client, supervisor, demo_office, need):
    meeting = Event.objects.create(
        office=demo_office, kind=EventKind.MEETING, name="自立支援協議会", held_on=date(2025, 7, 1)
    )
    client.force_login(supervisor)
    data = {
        "status": NeedStatus.RAISED,
        "on": TODAY_TEXT,
        "text": "協議会で提起した",
        "raised_at": meeting.pk,
        "version": 1,
    }
    assert client.post(reverse("need_move", args=[need.pk]), data).status_code == 302
    page = client.get(reverse("need_detail", args=[need.pk])).text
    assert "自立支援協議会" in page and "協議会で提起した" in page and "会議体へ提起" in page


def test_a_note_dated_in_the_future_is_refused_and_changes_nothing(client, coordinator, need):
    client.force_login(coordinator)
    data = {"status": NeedStatus.CONSIDERING, "on": "2999/1/1", "text": "", "version": 1}
    response = client.post(reverse("need_move", args=[need.pk]), data)
    assert response.status_code == 400
    assert "未来の日付は入力できません" in response.text
    need.refresh_from_db()
    assert (need.status, need.version) == (NeedStatus.FOUND, 1)


def test_a_log_is_recorded_as_a_new_need_then_a_second_log_adds_to_it(client, coordinator, demo_office, log):
    client.force_login(coordinator)
    page = client.get(reverse("log_detail", args=[log.pk])).text
    assert reverse("need_from_log", args=[log.pk]) in page and "ニーズ・課題として記録" in page
    data = {
        "action": "create",
        "title": "医療的ケアに対応する保育園が少ない",
        "category": a_category("childcare-education").pk,
    }
    response = client.post(reverse("need_from_log", args=[log.pk]), data)
    need = Need.objects.get(office=demo_office, title=data["title"])
    assert response["Location"] == reverse("need_detail", args=[need.pk])
    second = make_log(make_client(demo_office, name="二 家族"), coordinator, date(2025, 6, 9))
    client.post(reverse("need_from_log", args=[second.pk]), {"action": "add", "need": need.pk})
    assert set(need.logs.all()) == {log, second}
    assert "2家族" in client.get(reverse("need_detail", args=[need.pk])).text


def test_adding_a_log_to_no_need_is_refused_in_japanese(client, coordinator, log):
    client.force_login(coordinator)
    response = client.post(reverse("need_from_log", args=[log.pk]), {"action": "add", "need": ""})
    assert response.status_code == 400
    assert "追加するニーズ・課題を選んでください。" in response.text


def test_the_list_filters_by_district(client, coordinator, demo_office, need):
    district = demo_office.district_links.order_by("position").first().district
    need.districts.set([district])
    make_need(demo_office, coordinator, title="ほかの地区の課題")
    client.force_login(coordinator)
    rows = client.get(reverse("need_list"), {"district": district.pk}).context["needs"]
    assert [row.title for row in rows] == [need.title]


def test_a_note_naming_a_client_is_saved_with_a_warning(client, coordinator, need):
    client.force_login(coordinator)
    data = {"status": NeedStatus.CONSIDERING, "on": TODAY_TEXT, "text": "紡 つむぎさんの件で検討", "version": 1}
    response = client.post(reverse("need_move", args=[need.pk]), data, follow=True)
    assert "相談対象者の氏名（「紡 つむぎ」）が含まれています" in response.text
    need.refresh_from_db()
    assert need.status == NeedStatus.CONSIDERING
