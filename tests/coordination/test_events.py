"""周知活動・会議・研修・その他 (report sections 6–8): recording, the list, linked contact logs, access."""

import re
from datetime import date, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Office, User
from coordination.events import services
from coordination.events.models import Event, EventKind
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart
from directory.models import CounterpartCategory
from reporting.quarterly import build_quarterly_report

pytestmark = pytest.mark.django_db

DEMO_EVENTS = 28

MEETING = {
    "role": "講師",
    "name": "区立園長会 事業説明",
    "held_on": "R7.6.5",
    "started_at": "14:00",
    "method_venue": "対面・北とぴあ",
    "topic": "令和6年度の事業報告",
    "audience": "区立園長",
    "participant_count": "30",
    "participant_note": "30名程度",
    "log_method": "meeting-other",
    "log_activity_type": "meeting-attendance",
}
OUTREACH = {
    "scope": "in_ward",
    "name": "北区立王子保育園",
    "held_on": "2025/6/3",
    "started_at": "10:00",
    "method_venue": "対面",
    "topic": "リーフレット持参と面談",
    "audience": "園長・看護師",
    "participant_count": "2",
    "log_method": "visit-other",
    "log_activity_type": "community-publicity",
}
TRAINING = {
    "role": "開催",
    "name": "北区医ケア児等コーディネーター交流会",
    "held_on": "令和7年6月20日",
    "started_at": "18:30",
    "method_venue": "対面 区民センター",
    "topic": "地域での活動について",
    "audience": "区内の相談支援事業所",
    "participant_count": "７",
    "participant_note": "",
    "log_method": "meeting-other",
    "log_activity_type": "meeting-hosting",
}
OTHER = {
    "name": "災害時の個別避難計画づくり",
    "held_on": "2025-06-01",
    "ends_on": "2025-09-30",
    "method_venue": "防災課との打合せ",
    "topic": "電源を使う医療機器のある家庭の名簿を整理",
    "audience": "防災課",
}
FORMS = {EventKind.OUTREACH: OUTREACH, EventKind.MEETING: MEETING, EventKind.TRAINING: TRAINING, EventKind.OTHER: OTHER}


def new_url(kind) -> str:
    return f"{reverse('event_create')}?kind={kind}"


def post(client, url, data):
    """Posts the form as a browser would: the log's method and type are chosen by their leaf's id,
    and an edit carries the versions its page was read at."""
    data = dict(data)
    if url.endswith("/edit/") and "version" not in data:
        page = client.get(url)
        if page.status_code == 200:
            form = page.context["form"]
            data.update(version=form["version"].value(), log_version=form["log_version"].value() or "")
    for name, model in (("log_method", ContactMethod), ("log_activity_type", ActivityType)):
        if name in data:
            data[name] = str(model.objects.get(code=data[name]).pk)
    return client.post(url, data)


def errors_of(response) -> dict:
    return response.context["form"].errors


@pytest.fixture
def other_office_event():
    office = Office.objects.create(name="板橋区医療的ケア児等コーディネーター事業", municipality="板橋区")
    return Event.objects.create(office=office, kind=EventKind.MEETING, name="板橋区の協議会", held_on=date(2025, 6, 2))


@pytest.fixture
def meeting(demo_office):
    return Event.objects.filter(office=demo_office, kind=EventKind.MEETING).order_by("held_on").first()


def quarterly_figures(office):
    """(activities in the header, §4 total, §5 total, meetings listed in §6) for FY2025 Q1–3."""
    report = build_quarterly_report(office, FiscalPeriod(2025, 1, 3))
    sections = {section.number: section for section in report.sections}
    totals = {number: sum(row.values["count"] for row in sections[number].rows) for number in (4, 5)}
    meetings = report.event_sections[0].tables[1].rows
    return report.activities, totals[4], totals[5], len(meetings)


# --- who may do what --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting):
    for url in (
        reverse("event_list"),
        new_url("meeting"),
        reverse("event_detail", args=[meeting.pk]),
        reverse("event_update", args=[meeting.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_ward_staff_get_403_on_every_event_page(client, ward_staff, meeting):
    client.force_login(ward_staff)
    for url in (
        reverse("event_list"),
        new_url("meeting"),
        reverse("event_detail", args=[meeting.pk]),
        reverse("event_update", args=[meeting.pk]),
    ):
        assert client.get(url).status_code == 403
    assert post(client, new_url("meeting"), MEETING).status_code == 403


def test_a_supervisor_reads_events_but_cannot_record_or_edit_them(client, supervisor, meeting):
    client.force_login(supervisor)
    assert client.get(reverse("event_list")).status_code == 200
    page = client.get(reverse("event_detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert "編集する" not in page.content.decode()
    assert "会議を記録" not in client.get(reverse("event_list")).content.decode()
    assert client.get(new_url("meeting")).status_code == 403
    assert post(client, new_url("meeting"), MEETING).status_code == 403
    assert post(client, reverse("event_update", args=[meeting.pk]), {**MEETING, "name": "変更"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.name != "変更"
    assert Event.objects.count() == DEMO_EVENTS


def test_another_offices_event_is_not_found(client, coordinator, supervisor, other_office_event):
    for user in (coordinator, supervisor):
        client.force_login(user)
        assert client.get(reverse("event_detail", args=[other_office_event.pk])).status_code == 404
    client.force_login(coordinator)
    assert client.get(reverse("event_update", args=[other_office_event.pk])).status_code == 404
    response = post(client, reverse("event_update", args=[other_office_event.pk]), {**MEETING, "name": "乗っ取り"})
    assert response.status_code == 404
    other_office_event.refresh_from_db()
    assert other_office_event.name == "板橋区の協議会"


def test_another_offices_events_are_not_listed(client, coordinator, other_office_event):
    client.force_login(coordinator)
    page = client.get(reverse("event_list")).content.decode()
    assert "板橋区の協議会" not in page
    assert f"{DEMO_EVENTS}件" in page


def test_coordinators_and_supervisors_find_the_events_in_the_menu(client, coordinator, supervisor, ward_staff):
    for user, shown in ((coordinator, True), (supervisor, True), (ward_staff, False)):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert (f'href="{reverse("event_list")}"' in page) is shown


# --- recording ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(EventKind))
def test_a_coordinator_records_each_kind_of_event(client, coordinator, kind):
    client.force_login(coordinator)
    response = post(client, new_url(kind), FORMS[kind])
    event = Event.objects.get(name=FORMS[kind]["name"])
    assert response.status_code == 302
    assert response["Location"] == reverse("event_detail", args=[event.pk])
    assert event.kind == kind
    assert event.office == coordinator.office
    assert event.contact_log is None
    page = client.get(response["Location"]).content.decode()
    assert f"「{event.name}」を記録しました" in page
    assert event.name in page


def test_each_kind_keeps_the_fields_of_its_report_table(client, coordinator):
    client.force_login(coordinator)
    for kind, data in FORMS.items():
        post(client, new_url(kind), data)
    outreach = Event.objects.get(name=OUTREACH["name"])
    assert (outreach.scope, outreach.held_on, outreach.started_at) == ("in_ward", date(2025, 6, 3), time(10))
    assert outreach.participants_label == "2名"
    meeting = Event.objects.get(name=MEETING["name"])
    assert (meeting.role, meeting.held_on, meeting.method_venue) == ("講師", date(2025, 6, 5), "対面・北とぴあ")
    assert (meeting.participant_count, meeting.participants_label) == (30, "30名程度")
    training = Event.objects.get(name=TRAINING["name"])
    assert (training.role, training.held_on, training.participant_count) == ("開催", date(2025, 6, 20), 7)
    other = Event.objects.get(name=OTHER["name"])
    assert (other.held_on, other.ends_on) == (date(2025, 6, 1), date(2025, 9, 30))
    assert other.participant_count is None and other.role == "" and other.started_at is None


def test_the_form_asks_for_what_the_report_prints_for_each_kind(client, coordinator):
    client.force_login(coordinator)
    outreach = client.get(new_url("outreach")).content.decode()
    for label in ("区内・区外", "区内", "区外", "実施機関", "実施日", "方法", "内容", "対象", "参加者数"):
        assert label in outreach
    meeting = client.get(new_url("meeting")).content.decode()
    for label in ("会議参加（関わり方）", "会議名", "開催日", "方法・会場", "主な議題", "参加者数の表記"):
        assert label in meeting
    for role in ("参加", "講師", "司会進行と運営サポート", "運営 ファシリテーター"):
        assert f'<option value="{role}">' in meeting
    assert "この会議を相談・支援・活動記録にも数える" in meeting
    training = client.get(new_url("training")).content.decode()
    assert "参加・開催" in training and "研修名" in training and "主なテーマ" in training
    other = client.get(new_url("other")).content.decode()
    for label in ("課題・テーマ", "期間（始め）", "期間（終わり）", "内容・結果など"):
        assert label in other
    assert "参加者数" not in other
    assert "相談・支援・活動記録にも数える" not in other


def test_without_a_kind_the_coordinator_chooses_one(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("event_create")).content.decode()
    for kind in EventKind:
        assert f"?kind={kind.value}" in page


@pytest.mark.parametrize("typed", ["2025-06-05", "2025/6/5", "R7.6.5", "令和7年6月5日", "２０２５／６／５"])
def test_dates_are_accepted_as_the_office_types_them(client, coordinator, typed):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "held_on": typed})
    assert Event.objects.get(name=MEETING["name"]).held_on == date(2025, 6, 5)


def test_missing_and_malformed_fields_get_japanese_messages_and_nothing_is_saved(client, coordinator):
    client.force_login(coordinator)
    response = post(
        client,
        new_url("meeting"),
        {
            **MEETING,
            "name": " ",
            "role": "",
            "held_on": "6月5日ごろ",
            "started_at": "夕方",
            "participant_count": "三十",
        },
    )
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors["name"] == ["会議名を入力してください。"]
    assert errors["role"] == ["会議参加（関わり方）を入力してください。"]
    assert "日付として読み取れません" in errors["held_on"][0]
    assert errors["started_at"] == ["開始時刻は 14:00 のように入力してください。"]
    assert errors["participant_count"] == ["参加者数は数字で入力してください（例：30）。"]
    assert "入力内容を確認してください。" in response.content.decode()
    assert Event.objects.count() == DEMO_EVENTS


def test_outreach_needs_in_or_outside_the_ward(client, coordinator):
    client.force_login(coordinator)
    response = post(client, new_url("outreach"), {**OUTREACH, "scope": ""})
    assert errors_of(response)["scope"] == ["区内・区外を選んでください。"]
    assert not Event.objects.filter(name=OUTREACH["name"]).exists()


def test_a_period_that_ends_before_it_starts_is_refused(client, coordinator):
    client.force_login(coordinator)
    response = post(client, new_url("other"), {**OTHER, "held_on": "2025/9/30", "ends_on": "2025/6/1"})
    assert errors_of(response)["ends_on"] == ["期間（終わり）は期間（始め）と同じ日か、それより後にしてください。"]
    assert not Event.objects.filter(name=OTHER["name"]).exists()


def test_a_one_day_period_is_accepted(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("other"), {**OTHER, "held_on": "2025/6/1", "ends_on": "2025/6/1"})
    assert Event.objects.get(name=OTHER["name"]).ends_on == date(2025, 6, 1)


def test_a_planned_event_may_have_a_future_date(client, coordinator):
    """Unlike a contact log, an event can be entered before it takes place."""
    client.force_login(coordinator)
    next_month = timezone.localdate() + timedelta(days=30)
    post(client, new_url("meeting"), {**MEETING, "held_on": next_month.isoformat()})
    event = Event.objects.get(name=MEETING["name"])
    assert event.held_on == next_month
    assert event.contact_log is None


def test_a_planned_event_is_not_counted_as_a_log_before_it_takes_place(client, coordinator):
    client.force_login(coordinator)
    next_month = timezone.localdate() + timedelta(days=30)
    response = post(client, new_url("meeting"), {**MEETING, "held_on": next_month.isoformat(), "count_as_log": "on"})
    assert errors_of(response)["count_as_log"] == [services.EVENT_NOT_HELD_YET]
    assert not Event.objects.filter(name=MEETING["name"]).exists()


def test_a_coordinator_edits_an_event(client, coordinator, meeting):
    client.force_login(coordinator)
    form = client.get(reverse("event_update", args=[meeting.pk])).content.decode()
    assert meeting.name in form
    response = post(client, reverse("event_update", args=[meeting.pk]), {**MEETING, "participant_note": ""})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.name, meeting.held_on, meeting.participants_label) == (MEETING["name"], date(2025, 6, 5), "30名")
    assert meeting.kind == EventKind.MEETING


# --- counted as a contact log ---------------------------------------------------------------------


def test_counting_a_meeting_as_a_log_creates_exactly_one_log(client, coordinator):
    client.force_login(coordinator)
    logs_before = ContactLog.objects.count()
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on"})
    event = Event.objects.get(name=MEETING["name"])
    log = event.contact_log
    assert ContactLog.objects.count() == logs_before + 1
    assert (log.occurred_on, log.started_at) == (date(2025, 6, 5), time(14))
    assert log.method.code == "meeting-other"
    assert [t.code for t in log.activity_types.all()] == ["meeting-attendance"]
    assert log.coordinator == coordinator
    assert log.client is None
    assert log.office == event.office
    assert log.history.count() == 1


def test_the_method_and_type_of_the_log_can_be_chosen(client, coordinator):
    client.force_login(coordinator)
    post(
        client,
        new_url("meeting"),
        {**MEETING, "count_as_log": "on", "log_method": "meeting-council", "log_activity_type": "lecturer"},
    )
    log = Event.objects.get(name=MEETING["name"]).contact_log
    assert log.method.code == "meeting-council"
    assert [t.code for t in log.activity_types.all()] == ["lecturer"]


def test_saving_the_event_again_updates_its_log_instead_of_adding_one(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on"})
    event = Event.objects.get(name=MEETING["name"])
    logs_before = ContactLog.objects.count()
    post(
        client,
        reverse("event_update", args=[event.pk]),
        {**MEETING, "held_on": "2025/6/6", "started_at": "15:30", "count_as_log": "on", "log_method": "meeting-case"},
    )
    event.refresh_from_db()
    log = event.contact_log
    assert ContactLog.objects.count() == logs_before
    assert (log.occurred_on, log.started_at, log.method.code) == (date(2025, 6, 6), time(15, 30), "meeting-case")
    assert log.version == 2
    assert log.history.count() == 2


def test_editing_the_event_keeps_the_types_added_on_the_log(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on"})
    event = Event.objects.get(name=MEETING["name"])
    event.contact_log.activity_types.add(ActivityType.objects.get(code="lecture-preparation"))
    post(client, reverse("event_update", args=[event.pk]), {**MEETING, "topic": "議題を変更", "count_as_log": "on"})
    codes = {t.code for t in Event.objects.get(pk=event.pk).contact_log.activity_types.all()}
    assert codes == {"meeting-attendance", "lecture-preparation"}


def test_the_edit_form_shows_the_log_as_it_is(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on", "log_method": "meeting-council"})
    event = Event.objects.get(name=MEETING["name"])
    form = client.get(reverse("event_update", args=[event.pk])).context["form"]
    assert form.initial["count_as_log"] is True
    assert form.initial["log_method"] == str(ContactMethod.objects.get(code="meeting-council").pk)
    assert form.initial["log_activity_type"] == str(ActivityType.objects.get(code="meeting-attendance").pk)


def test_unticking_removes_the_log_the_event_made(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on"})
    event = Event.objects.get(name=MEETING["name"])
    log_pk = event.contact_log_id
    post(client, reverse("event_update", args=[event.pk]), MEETING)
    event.refresh_from_db()
    assert event.contact_log is None
    assert not ContactLog.objects.filter(pk=log_pk).exists()


def test_unticking_is_refused_when_someone_added_to_the_log(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on"})
    event = Event.objects.get(name=MEETING["name"])
    Counterpart.objects.create(
        contact_log=event.contact_log,
        category=CounterpartCategory.objects.get(code="government-staff"),
        organization_name="北区障害福祉課",
    )
    response = post(client, reverse("event_update", args=[event.pk]), {**MEETING, "name": "名前も変えた"})
    assert errors_of(response)["count_as_log"] == [services.EVENT_LOG_HAS_CONTENT]
    event.refresh_from_db()
    assert event.contact_log is not None
    assert event.name == MEETING["name"]


def test_the_event_and_its_log_are_saved_together_or_not_at_all(coordinator, demo_office, monkeypatch):
    events_before, logs_before = Event.objects.count(), ContactLog.objects.count()
    count_as = services.LogCount(
        method=ContactMethod.objects.get(code="meeting"),  # a group, not a leaf: the log is refused
        activity_type=ActivityType.objects.get(code="meeting-attendance"),
    )
    with pytest.raises(ValidationError) as refused:
        services.event_create(
            office=demo_office,
            user=coordinator,
            kind=EventKind.MEETING,
            role="参加",
            name="協議会",
            held_on=date(2025, 6, 5),
            count_as=count_as,
        )
    assert "log_method" in refused.value.message_dict

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Event, "save", failing_save)
    with pytest.raises(RuntimeError):
        services.event_create(
            office=demo_office,
            user=coordinator,
            kind=EventKind.MEETING,
            role="参加",
            name="協議会",
            held_on=date(2025, 6, 5),
            count_as=services.LogCount(
                method=ContactMethod.objects.get(code="meeting-other"), activity_type=count_as.activity_type
            ),
        )
    assert (Event.objects.count(), ContactLog.objects.count()) == (events_before, logs_before)


def test_a_linked_meeting_is_counted_once_in_the_quarterly_report(client, coordinator, demo_office):
    """A meeting counts as one activity in the header either way; linked, it also counts in §4 and §5."""
    activities, methods, types, meetings = quarterly_figures(demo_office)
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "started_at": "10:00"})
    event = Event.objects.get(name=MEETING["name"])
    assert quarterly_figures(demo_office) == (activities + 1, methods, types, meetings + 1)

    post(client, reverse("event_update", args=[event.pk]), {**MEETING, "started_at": "10:00", "count_as_log": "on"})
    assert Event.objects.get(pk=event.pk).contact_log is not None
    assert quarterly_figures(demo_office) == (activities + 1, methods + 1, types + 1, meetings + 1)


# --- the event page -------------------------------------------------------------------------------


def test_the_event_page_shows_the_fields_and_the_linked_log(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on"})
    event = Event.objects.get(name=MEETING["name"])
    page = client.get(reverse("event_detail", args=[event.pk])).content.decode()
    for text in (
        "会議名",
        "2025年6月5日（木）",
        "14:00",
        "対面・北とぴあ",
        "30名程度",
        "会議参加 ▸ その他会議",
        "会議・勉強会参加",
        "相談・支援・活動記録にも数えています",
    ):
        assert text in page
    assert f'<a href="{reverse("log_detail", args=[event.contact_log_id])}">記録を開く</a>' in page


def test_an_unlinked_event_says_it_counts_in_the_header_only(client, coordinator, meeting):
    client.force_login(coordinator)
    page = client.get(reverse("event_detail", args=[meeting.pk])).content.decode()
    assert "相談・支援・活動記録には数えていません" in page


# --- the list -------------------------------------------------------------------------------------


def names_on(response) -> list[str]:
    return [event.name for event in response.context["page"]]


def test_the_list_shows_the_newest_first_and_can_show_the_oldest_first(client, coordinator):
    client.force_login(coordinator)
    newest = client.get(reverse("event_list"))
    dates = [event.held_on for event in newest.context["page"]]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == date(2025, 12, 15)
    oldest = client.get(reverse("event_list"), {"sort": "oldest"})
    assert [event.held_on for event in oldest.context["page"]][0] == date(2025, 4, 4)


def test_the_list_shows_dates_as_the_report_does_with_the_year(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("event_list"), {"sort": "oldest"}).content.decode()
    assert re.search(r"2025年</span><br>4月4日（金）", page)


def test_the_list_filters_by_kind_with_the_reports_columns(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("event_list"), {"kind": "training"})
    assert len(response.context["page"]) == 3
    assert [label for _, label in response.context["columns"]] == [
        "参加・開催",
        "研修名",
        "開催日",
        "方法・会場",
        "主なテーマ",
        "対象",
        "参加者数",
    ]
    meetings = client.get(reverse("event_list"), {"kind": "meeting"})
    assert meetings.context["page"].paginator.count == 20
    assert "会議参加" in [label for _, label in meetings.context["columns"]]
    outreach = client.get(reverse("event_list"), {"kind": "outreach"}).content.decode()
    assert "周知活動等" in outreach and "区外" in outreach


def test_the_list_filters_by_fiscal_year_and_quarter(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("event_list")).content.decode()
    assert '<option value="2025">令和7年度</option>' in page
    q2 = client.get(reverse("event_list"), {"fiscal_year": "2025", "quarter": "2"})
    assert all(date(2025, 7, 1) <= event.held_on <= date(2025, 9, 30) for event in q2.context["page"])
    assert q2.context["page"].paginator.count == 6
    assert (
        client.get(reverse("event_list"), {"fiscal_year": "2025", "quarter": "4"}).context["page"].paginator.count == 0
    )
    before_any_event = client.get(reverse("event_list"), {"fiscal_year": "2024"})
    assert "年度は一覧から選んでください。" in before_any_event.content.decode()


def test_a_quarter_without_a_fiscal_year_gets_a_message(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("event_list"), {"quarter": "2"})
    assert "四半期で絞り込むときは年度も選んでください。" in response.content.decode()
    assert response.context["page"].paginator.count == DEMO_EVENTS


def test_the_list_finds_events_by_words_in_any_column(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("event_list"), {"q": "ファシリテーター 多摩"})
    assert response.context["page"].paginator.count == 4
    assert client.get(reverse("event_list"), {"q": "ＺＯＯＭ"}).context["page"].paginator.count == 5
    assert "該当する活動はありません。" in client.get(reverse("event_list"), {"q": "存在しない会議"}).content.decode()


def test_the_list_marks_events_counted_as_logs(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on"})
    page = client.get(reverse("event_list"), {"q": MEETING["name"]}).content.decode()
    assert "記録に計上" in page


def test_the_list_pages_by_fifty_with_a_bounded_number_of_queries(client, coordinator, demo_office):
    methods = ContactMethod.objects.get(code="meeting-other")
    logs = ContactLog.objects.bulk_create(
        ContactLog(office=demo_office, occurred_on=date(2025, 7, 1), coordinator=coordinator, method=methods)
        for _ in range(100)
    )
    Event.objects.bulk_create(
        Event(
            office=demo_office,
            kind=list(EventKind)[i % 4],
            role="参加",
            name=f"会議{i:03d}",
            held_on=date(2025, 4, 1) + timedelta(days=i),
            topic="議題" * 40,
            participant_count=i,
            contact_log=logs[i] if i < 100 else None,
        )
        for i in range(200)
    )
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("event_list"), {"page": "2"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 200 + DEMO_EVENTS
    # Session, user, permissions (2), role, office, fiscal years, count, the page, and the access
    # log's chain head and row: none per row.
    assert len(queries) <= 11, "\n".join(q["sql"] for q in queries)
    with CaptureQueriesContext(connection) as one_row:
        client.get(reverse("event_list"), {"q": "会議007"})
    assert len(one_row) == len(queries)
    last = client.get(reverse("event_list"), {"page": "5"})
    assert len(last.context["page"]) == 28
    assert "5 / 5 ページ" in last.content.decode()


def test_paging_keeps_the_filters(client, coordinator, demo_office):
    Event.objects.bulk_create(
        Event(office=demo_office, kind=EventKind.MEETING, role="参加", name=f"定例会{i}", held_on=date(2025, 5, 1))
        for i in range(60)
    )
    client.force_login(coordinator)
    page = client.get(reverse("event_list"), {"kind": "meeting", "q": "定例会"}).content.decode()
    assert "kind=meeting&amp;q=%E5%AE%9A%E4%BE%8B%E4%BC%9A&amp;page=2" in page


def test_a_user_without_an_office_is_refused(client):
    user = User.objects.create_user("no-office", password="a-long-enough-password")
    user.groups.add(Group.objects.get(name="コーディネーター"))
    client.force_login(user)
    assert client.get(reverse("event_list")).status_code == 403


def test_a_page_of_200_events_makes_the_same_queries_as_a_page_of_one(client, coordinator, demo_office, monkeypatch):
    from coordination.events import views as event_views

    monkeypatch.setattr(event_views, "PAGE_SIZE", 250)
    Event.objects.bulk_create(
        Event(
            office=demo_office,
            kind=list(EventKind)[i % 4],
            role="参加",
            name=f"研修会{i:03d}",
            held_on=date(2025, 4, 1) + timedelta(days=i % 300),
            participant_count=i,
        )
        for i in range(200)
    )
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as full:
        response = client.get(reverse("event_list"))
    assert len(response.context["page"]) == 200 + DEMO_EVENTS
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("event_list"), {"q": "研修会007"})
    assert len(response.context["page"]) == 1
    assert len(full) == len(one) <= 11  # 9 + 2: the access log's chain head and row


# --- two people editing the same event -----------------------------------------------------------


def versions_read(client, url) -> dict:
    """The versions the edit page carries, as a browser holds them until it posts."""
    form = client.get(url).context["form"]
    return {"version": form["version"].value(), "log_version": form["log_version"].value() or ""}


@pytest.fixture
def colleague(client, coordinator):
    other = Browser()
    other.force_login(User.objects.get(username="coordinator2"))
    client.force_login(coordinator)
    return other


def test_an_event_edit_saves_a_new_version(client, coordinator, meeting):
    client.force_login(coordinator)
    url = reverse("event_update", args=[meeting.pk])
    assert versions_read(client, url)["version"] == 1
    assert post(client, url, {**MEETING, "topic": "新しい議題"}).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.version, meeting.topic) == (2, "新しい議題")


def test_a_stale_save_of_an_event_is_refused_and_nothing_typed_is_lost(client, colleague, meeting):
    url = reverse("event_update", args=[meeting.pk])
    # Both open the edit page; the colleague saves first.
    mine = {**MEETING, "topic": "わたしの議題", **versions_read(client, url)}
    theirs = {**MEETING, "topic": "同僚の議題", **versions_read(colleague, url)}
    assert post(colleague, url, theirs).status_code == 302

    response = post(client, url, mine)

    assert response.status_code == 409
    page = response.content.decode()
    assert "ほかの人がこの会議を先に更新しました" in page
    conflict = response.context["conflict"]
    assert "森川" in conflict.who
    topic = response.context["form"].fields["topic"].label
    changes = {change.label: (change.old, change.new) for change in conflict.changes}
    assert changes[topic] == ("同僚の議題", "わたしの議題")
    assert "わたしの議題" in page and 'name="version" value="2"' in page
    meeting.refresh_from_db()
    assert (meeting.version, meeting.topic) == (2, "同僚の議題")

    assert post(client, url, {**mine, "version": "2"}).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.version, meeting.topic) == (3, "わたしの議題")


def test_an_event_save_is_refused_when_its_log_changed_on_the_log_page_meanwhile(client, coordinator):
    client.force_login(coordinator)
    post(client, new_url("meeting"), {**MEETING, "count_as_log": "on"})
    event = Event.objects.get(name=MEETING["name"])
    url = reverse("event_update", args=[event.pk])
    mine = {**MEETING, "topic": "わたしの議題", "count_as_log": "on", **versions_read(client, url)}
    # Someone saves the log on its own page (a new method), which the event's form also shows.
    council = ContactMethod.objects.get(code="meeting-council")
    ContactLog.objects.filter(pk=event.contact_log_id).update(method=council, version=2)

    response = post(client, url, mine)

    assert response.status_code == 409
    changes = {change.label: (change.old, change.new) for change in response.context["conflict"].changes}
    assert changes["方法"][0].endswith(council.label)
    assert 'name="log_version" value="2"' in response.content.decode()
    event.refresh_from_db()
    assert (event.version, event.topic, event.contact_log.method) == (1, MEETING["topic"], council)

    # From the refused page the save goes through, and the log's version moves on with it.
    response = post(client, url, {**mine, "log_version": "2", "log_method": "meeting-council"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.version, event.topic, event.contact_log.version) == (2, "わたしの議題", 3)
