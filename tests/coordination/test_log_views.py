"""Entering, reading and editing a contact log in the browser's forms, and the pickers' lookups."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from common.drafts import SAVED_DRAFTS
from coordination.clients.models import Client
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from coordination.logs.services import CounterpartEntry, contact_log_create
from directory.models import CounterpartCategory, Provider

from .client_factories import make_client, make_office, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def node(model, code):
    return model.objects.get(code=code)


@pytest.fixture
def aoyama(demo_office):
    return Client.objects.for_office(demo_office).get(name_kana="アオヤマ ハヤテ")


@pytest.fixture
def provider():
    return Provider.objects.active().order_by("pk").first()


@pytest.fixture
def log(demo_office, coordinator, aoyama):
    return contact_log_create(
        office=demo_office,
        coordinator=coordinator,
        occurred_on=TODAY - timedelta(days=1),
        client=aoyama,
        method=node(ContactMethod, "phone"),
        activity_types=[node(ActivityType, "discharge")],
        counterparts=[CounterpartEntry(category=node(CounterpartCategory, "party-parent-mother"))],
        report_summary="退院に向けた相談",
        include_in_report=True,
    )


def form_data(client_pk, provider, **overrides) -> dict:
    data = {
        "occurred_on": "R7.4.1",
        "started_at": "10:30",
        "duration_minutes": "15",
        "client": str(client_pk),
        "method": str(node(ContactMethod, "phone").pk),
        "activity_types": [str(node(ActivityType, "discharge").pk), str(node(ActivityType, "home-medical-nursing").pk)],
        "report_summary": "退院に向けて訪問看護と調整",
        "include_in_report": "on",
        "confidential_notes": "母より電話。退院日が決まった。",
        "follow_up_action": "訪問看護ステーションへ連絡",
        "follow_up_due_on": "",
        "counterparts-TOTAL_FORMS": "2",
        "counterparts-INITIAL_FORMS": "0",
        "counterparts-MIN_NUM_FORMS": "0",
        "counterparts-MAX_NUM_FORMS": "1000",
        "counterparts-0-category": str(node(CounterpartCategory, "party-parent-mother").pk),
        "counterparts-0-provider": "",
        "counterparts-0-organization": "",
        "counterparts-1-category": "",
        "counterparts-1-provider": str(provider.pk),
        "counterparts-1-organization": provider.name,
        "save": "1",
    }
    data.update(overrides)
    return data


# --- who may do what ----------------------------------------------------------------------------


def log_urls(pk):
    return [
        reverse("log_create"),
        reverse("log_detail", args=[pk]),
        reverse("log_update", args=[pk]),
        reverse("client_lookup"),
        reverse("provider_lookup"),
    ]


def test_it_sends_anonymous_users_to_sign_in(client, log):
    for url in log_urls(log.pk):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(f"{reverse('login')}?next=")


def test_ward_staff_never_see_a_log(client, ward_staff, log):
    client.force_login(ward_staff)
    for url in log_urls(log.pk)[:4]:
        assert client.get(url).status_code == 403, url


def test_another_office_gets_not_found(client, log):
    outsider = make_user(make_office(), "outsider")
    client.force_login(outsider)
    assert client.get(reverse("log_detail", args=[log.pk])).status_code == 404
    assert client.get(reverse("log_update", args=[log.pk])).status_code == 404
    assert client.post(reverse("log_update", args=[log.pk]), {}).status_code == 404


def test_a_supervisor_reads_the_log_but_may_not_edit_it(client, supervisor, log):
    client.force_login(supervisor)
    response = client.get(reverse("log_detail", args=[log.pk]))
    assert response.status_code == 200
    assert "退院に向けた相談" in response.text
    assert "この記録を編集" not in response.text
    assert client.get(reverse("log_update", args=[log.pk])).status_code == 403
    assert client.post(reverse("log_update", args=[log.pk]), {}).status_code == 403
    assert client.get(reverse("log_create")).status_code == 403


# --- entering a log -----------------------------------------------------------------------------


def test_the_form_starts_with_today_now_and_the_signed_in_coordinator(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("log_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["occurred_on"] == TODAY
    assert form.initial["started_at"].minute % 5 == 0
    assert f'value="{TODAY.year}/{TODAY.month}/{TODAY.day}"' in response.text
    assert "コーディネーター：<strong>青木 ひかり</strong>" in response.text
    assert "対象者なし（地域づくり等）" in response.text
    # 63 activity types as checkboxes, grouped under the report's headings.
    assert response.text.count('name="activity_types"') == 63
    assert "<legend>情報収集</legend>" in response.text
    assert f'data-draft-key="tsunagu:draft:{coordinator.pk}:log-new"' in response.text


def test_a_coordinator_logs_a_call_with_two_counterparts_and_two_activity_types(client, coordinator, aoyama, provider):
    client.force_login(coordinator)
    response = client.post(reverse("log_create"), form_data(aoyama.pk, provider))

    log = ContactLog.objects.latest("pk")
    assert response.status_code == 302
    assert response.url == reverse("log_detail", args=[log.pk])
    assert (log.occurred_on.isoformat(), log.client, log.coordinator) == ("2025-04-01", aoyama, coordinator)
    assert sorted(t.code for t in log.activity_types.all()) == ["discharge", "home-medical-nursing"]
    counterparts = list(log.counterparts.order_by("id"))
    assert [c.category.code for c in counterparts] == [
        "party-parent-mother",
        provider.category.counterpart_category.code,
    ]
    assert counterparts[1].provider == provider

    page = client.get(response.url)
    assert "記録を保存しました" in page.text
    assert "退院に向けて訪問看護と調整" in page.text
    assert provider.name in page.text
    assert page.context["clear_drafts"] == ["log-new"]
    assert SAVED_DRAFTS not in client.session


def test_save_and_add_another_keeps_the_date_and_the_client(client, coordinator, aoyama, provider):
    client.force_login(coordinator)
    response = client.post(reverse("log_create"), form_data(aoyama.pk, provider, save_and_add="1"))

    assert response.status_code == 302
    assert response.url == f"{reverse('log_create')}?date=2025-04-01&client={aoyama.pk}"
    page = client.get(response.url)
    form = page.context["form"]
    assert form.initial["occurred_on"].isoformat() == "2025-04-01"
    assert form.initial["client"] == str(aoyama.pk)
    assert f'<option value="{aoyama.pk}" selected>' in page.text
    assert page.context["clear_drafts"] == ["log-new"]


def test_save_and_add_another_keeps_no_client_for_community_work(client, coordinator, provider):
    client.force_login(coordinator)
    response = client.post(reverse("log_create"), form_data("none", provider, save_and_add="1"))
    assert response.url.endswith("client=none")
    assert ContactLog.objects.latest("pk").client is None
    assert client.get(response.url).context["form"].initial["client"] == "none"


def test_save_and_record_as_a_need_opens_the_need_form_for_the_saved_log(client, coordinator, aoyama, provider):
    client.force_login(coordinator)
    assert "保存してニーズ・課題として記録" in client.get(reverse("log_create")).text
    response = client.post(reverse("log_create"), form_data(aoyama.pk, provider, save_and_need="1"))
    log = ContactLog.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("need_from_log", args=[log.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and "ニーズ・課題として記録" in page.text


def test_a_future_date_is_refused_in_japanese_and_nothing_is_saved(client, coordinator, aoyama, provider):
    client.force_login(coordinator)
    tomorrow = TODAY + timedelta(days=1)
    count = ContactLog.objects.count()
    response = client.post(reverse("log_create"), form_data(aoyama.pk, provider, occurred_on=tomorrow.isoformat()))
    assert response.status_code == 200
    assert "未来の日付は入力できません" in response.text
    assert "入力内容を確認してください。まだ保存されていません。" in response.text
    assert ContactLog.objects.count() == count
    # What was typed is still in the form.
    assert "母より電話。退院日が決まった。" in response.text


def test_an_unreadable_date_and_a_missing_client_are_explained(client, coordinator, provider):
    client.force_login(coordinator)
    response = client.post(reverse("log_create"), form_data("", provider, occurred_on="4月1日"))
    assert "日付として読み取れません" in response.text
    assert "相談対象者を選ぶか、「対象者なし（地域づくり等）」を選んでください。" in response.text


def test_a_log_needs_a_counterpart(client, coordinator, aoyama, provider):
    client.force_login(coordinator)
    data = form_data(aoyama.pk, provider)
    for key in ("counterparts-0-category", "counterparts-1-provider", "counterparts-1-organization"):
        data[key] = ""
    response = client.post(reverse("log_create"), data)
    assert "相談者・相手先を1件以上入力してください" in response.text


def test_without_javascript_a_typed_directory_name_links_the_provider(client, coordinator, aoyama, provider):
    client.force_login(coordinator)
    data = form_data(aoyama.pk, provider, **{"counterparts-1-provider": ""})
    client.post(reverse("log_create"), data)
    counterpart = ContactLog.objects.latest("pk").counterparts.order_by("id").last()
    assert counterpart.provider == provider and counterpart.organization_name == ""


def test_without_javascript_the_add_button_adds_a_row_and_saves_nothing(client, coordinator, aoyama, provider):
    client.force_login(coordinator)
    count = ContactLog.objects.count()
    data = form_data(aoyama.pk, provider, add_counterpart="1")
    del data["save"]
    response = client.post(reverse("log_create"), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 3
    assert ContactLog.objects.count() == count


# --- the log page and editing -------------------------------------------------------------------


def test_the_log_page_shows_the_change_history(client, coordinator, log, provider, aoyama):
    client.force_login(coordinator)
    data = form_data(aoyama.pk, provider, version="1", report_summary="退院前カンファレンスに参加")
    data["occurred_on"] = log.occurred_on.isoformat()
    response = client.post(reverse("log_update", args=[log.pk]), data)
    assert response.status_code == 302

    page = client.get(reverse("log_detail", args=[log.pk]))
    history = page.context["history"]
    assert [entry.action for entry in history] == ["変更", "作成"]
    assert "変更履歴" in page.text
    assert "<del>退院に向けた相談</del>" in page.text
    assert "<ins>退院前カンファレンスに参加</ins>" in page.text
    assert "青木 ひかり" in page.text
    labels = [change.label for change in history[0].changes]
    assert labels == [
        "開始時刻",
        "所要時間（分）",
        "種別",
        "相談者・相手先",
        "報告書用の要約",
        "記録（要配慮・報告書には出ない）",
    ]
    # The follow-up typed into the log form is a follow-up of its own, with its own history.
    follow_up = log.follow_ups.get()
    assert follow_up.action == "訪問看護ステーションへ連絡" and follow_up.history.get().history_user == coordinator
    assert "訪問看護ステーションへ連絡" in page.text


def test_the_edit_form_carries_the_version(client, coordinator, log):
    client.force_login(coordinator)
    response = client.get(reverse("log_update", args=[log.pk]))
    assert response.status_code == 200
    assert 'name="version" value="1"' in response.text
    assert "退院に向けた相談" in response.text
    assert f'data-draft-key="tsunagu:draft:{coordinator.pk}:log-{log.pk}-edit"' in response.text


def test_a_stale_save_is_refused_and_nothing_typed_is_lost(client, coordinator, log, provider, aoyama):
    colleague = make_user(log.office, "colleague", Role.COORDINATOR, last_name="同僚")
    client.force_login(colleague)
    first = form_data(aoyama.pk, provider, version="1", report_summary="同僚が先に保存した要約")
    first["occurred_on"] = log.occurred_on.isoformat()
    assert client.post(reverse("log_update", args=[log.pk]), first).status_code == 302

    client.force_login(coordinator)
    mine = dict(first, report_summary="わたしの要約", confidential_notes="わたしが書いたメモ")
    response = client.post(reverse("log_update", args=[log.pk]), mine)

    assert response.status_code == 409
    assert "ほかの人がこの記録を先に更新しました" in response.text
    assert "同僚 さんが" in response.text
    changes = {change.label: (change.old, change.new) for change in response.context["conflict"]["changes"]}
    assert changes["報告書用の要約"] == ("同僚が先に保存した要約", "わたしの要約")
    # My typed values are still in the form, now based on the version that is saved.
    assert 'value="わたしの要約"' in response.text
    assert "わたしが書いたメモ" in response.text
    assert 'name="version" value="2"' in response.text
    log.refresh_from_db()
    assert (log.version, log.report_summary) == (2, "同僚が先に保存した要約")

    # Saving again, knowingly, goes through.
    again = dict(mine, version="2")
    assert client.post(reverse("log_update", args=[log.pk]), again).status_code == 302
    log.refresh_from_db()
    assert (log.version, log.report_summary) == (3, "わたしの要約")


def test_the_log_page_needs_few_queries(client, coordinator, log, provider, aoyama, django_assert_max_num_queries):
    client.force_login(coordinator)
    for number, summary in enumerate(["一度目の変更", "二度目の変更", "三度目の変更"], start=1):
        data = form_data(aoyama.pk, provider, version=str(number), report_summary=summary)
        data["occurred_on"] = log.occurred_on.isoformat()
        assert client.post(reverse("log_update", args=[log.pk]), data).status_code == 302
    client.get(reverse("log_detail", args=[log.pk]))  # the success message is read once

    # 17 + 2: the access log's chain head and row. 17, not 15: the log's follow-ups and its needs
    # (ニーズ・課題) are lists of their own; Django 5.2 has no portable way to read them in the log's query.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("log_detail", args=[log.pk]))
    assert len(response.context["history"]) == 4


# --- the pickers' lookups -----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["青山", "あおやま", "ｱｵﾔﾏ", "アオヤマハヤテ", "あおやま　はやて"])
def test_the_client_lookup_finds_by_name_or_kana_whatever_the_width(client, coordinator, aoyama, query):
    client.force_login(coordinator)
    results = client.get(reverse("client_lookup"), {"q": query}).json()["results"]
    assert results[0] == {
        "id": aoyama.pk,
        "name": "青山 颯",
        "kana": "アオヤマ ハヤテ",
        "age_band": results[0]["age_band"],
    }
    assert results[0]["age_band"] in {"高校生", "19歳以下", "中学生"}


def test_the_client_lookup_keeps_to_the_office_and_twenty_results(client, coordinator, demo_office):
    other = make_office()
    make_client(other, name="青山 別人", name_kana="アオヤマ ベツジン")
    for number in range(25):
        make_client(demo_office, name=f"試験 {number}", name_kana=f"シケン {number}")
    client.force_login(coordinator)
    assert [r["name"] for r in client.get(reverse("client_lookup"), {"q": "あおやま"}).json()["results"]] == ["青山 颯"]
    assert len(client.get(reverse("client_lookup"), {"q": "しけん"}).json()["results"]) == 20
    assert client.get(reverse("client_lookup"), {"q": " "}).json() == {"results": []}


def test_the_provider_lookup_gives_the_counterpart_category(client, coordinator, provider):
    client.force_login(coordinator)
    results = client.get(reverse("provider_lookup"), {"q": provider.name}).json()["results"]
    assert {
        "id": provider.pk,
        "name": provider.name,
        "category": provider.category.name,
        "counterpart_category": provider.category.counterpart_category_id,
    } in results
    assert len(results) <= 20


def test_the_provider_lookup_without_a_query_lists_nothing(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("provider_lookup"), {"q": ""}).json() == {"results": []}


def test_the_form_pages_need_few_queries(client, coordinator, log, django_assert_max_num_queries):
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("log_create")).status_code == 200
    # 15 + 2: the edit page is a reading: chain head and row (15: the log's follow-up in the form)
    with django_assert_max_num_queries(17):
        assert client.get(reverse("log_update", args=[log.pk])).status_code == 200
