"""The referral pages: who may open them, starting one, the gate panel, a move with its log and next action,
a stale move, and the supervisor's override in the access log."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action, Outcome
from coordination.followups.models import FollowUp
from coordination.followups.services import follow_up_create
from coordination.logs.models import ContactLog, ContactMethod
from coordination.referrals.models import Referral
from coordination.referrals.states import ReferralState
from directory.models import ProviderCategory
from tests.coordination.client_factories import make_office, make_user
from tests.coordination.referral_factories import a_provider, make_consent, make_referral, make_referral_client

pytestmark = pytest.mark.django_db

S = ReferralState
TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def referral(demo_office, coordinator):
    return make_referral(demo_office, coordinator, on=YESTERDAY - timedelta(days=7))


def urls(referral) -> list[str]:
    return [
        reverse("referral_detail", args=[referral.pk]),
        reverse("referral_update", args=[referral.pk]),
        reverse("referral_move", args=[referral.pk, S.REQUESTED]),
        reverse("referral_override", args=[referral.pk]),
    ]


def on_text(day) -> str:
    return f"{day.year}/{day.month}/{day.day}"


def test_anonymous_visitors_are_sent_to_sign_in(client, referral):
    for url in [*urls(referral), reverse("referral_create")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_ward_staff_are_refused_every_referral_page(client, ward_staff, referral):
    client.force_login(ward_staff)
    for url in [*urls(referral), reverse("referral_create")]:
        assert client.get(url).status_code == 403, url
    assert client.post(urls(referral)[2], {}).status_code == 403


def test_another_office_gets_not_found(client, referral):
    outsider = make_user(make_office(), "outsider")
    client.force_login(outsider)
    for url in urls(referral)[:3]:
        assert client.get(url).status_code == 404, url
    assert client.post(urls(referral)[2], {"on": on_text(TODAY), "version": 1}).status_code == 404
    referral.refresh_from_db()
    assert referral.state == S.DRAFT


def test_another_offices_client_cannot_be_prefilled(client, coordinator):
    stranger = make_referral_client(make_office())
    client.force_login(coordinator)
    response = client.get(reverse("referral_create") + f"?client={stranger.pk}")
    assert response.status_code == 200
    assert stranger.name not in response.content.decode()


def test_a_coordinator_starts_a_referral_filled_in_from_the_client_and_provider(client, demo_office, coordinator):
    child = make_referral_client(demo_office)
    provider = a_provider()
    client.force_login(coordinator)
    page = client.get(reverse("referral_create") + f"?client={child.pk}&provider={provider.pk}&junk=1")
    assert page.status_code == 200
    form = page.context["form"]
    assert (form.initial["client"], form.initial["provider"]) == (child.pk, provider.pk)
    assert f'data-form-draft="tsunagu:draft:{coordinator.pk}:referral:new"' in page.content.decode()

    response = client.post(
        reverse("referral_create"),
        {
            "client": child.pk,
            "provider": provider.pk,
            "purpose": "訪問看護の利用",
            "procedures": [p.pk for p in child.procedures.all()],
            "shared_items": ["identity", "procedures"],
            "answer_due_on": "R9.1.15",
            "coordinator": coordinator.pk,
        },
    )
    referral = Referral.objects.get(client=child)
    assert response.status_code == 302 and response["Location"] == reverse("referral_detail", args=[referral.pk])
    assert (referral.state, referral.provider, referral.shared_items) == (S.DRAFT, provider, ["identity", "procedures"])


def test_a_free_text_organization_without_a_kind_is_refused_in_japanese(client, demo_office, coordinator):
    child = make_referral_client(demo_office)
    client.force_login(coordinator)
    response = client.post(
        reverse("referral_create"),
        {
            "client": child.pk,
            "organization_name": "みなみ療育センター",
            "purpose": "相談",
            "coordinator": coordinator.pk,
        },
    )
    assert response.status_code == 200
    assert "名称を入力した場合は、つなぎ先の種別を選んでください。" in response.content.decode()
    assert not Referral.objects.filter(client=child).exists()


def test_the_page_says_which_consent_is_missing_and_how_to_record_it(client, coordinator, referral):
    client.force_login(coordinator)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    category = referral.organization_category
    assert f"{category.name}との情報共有について、" in page and "時点で有効な同意の記録がありません" in page
    assert "依頼した（送付）" in page and "取り消す" in page
    assert "管理者として例外を認める" not in page


def test_a_supervisor_reads_the_referral_and_is_offered_the_override_not_the_moves(client, supervisor, referral):
    client.force_login(supervisor)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "管理者として例外を認める" in page
    assert reverse("referral_move", args=[referral.pk, S.REQUESTED]) not in page
    assert client.get(reverse("referral_update", args=[referral.pk])).status_code == 403
    assert client.get(reverse("referral_move", args=[referral.pk, S.REQUESTED])).status_code == 403


def test_the_page_view_is_in_the_access_log(client, coordinator, referral):
    client.force_login(coordinator)
    client.get(reverse("referral_detail", args=[referral.pk]))
    event = AccessEvent.objects.filter(url_name="referral_detail").latest("occurred_at")
    assert (event.action, event.object_ids) == (Action.VIEW, {"pk": referral.pk})


def test_sending_without_consent_is_refused_with_the_gate_message(client, coordinator, referral):
    client.force_login(coordinator)
    response = client.post(
        reverse("referral_move", args=[referral.pk, S.REQUESTED]),
        {"on": on_text(YESTERDAY), "version": 1, "record": "none"},
    )
    assert response.status_code == 400
    assert "時点で有効な同意の記録がありません" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == S.DRAFT and referral.version == 1


def test_sending_by_phone_records_the_log_and_a_follow_up_in_one_step(client, coordinator, referral):
    make_consent(referral.client, coordinator, given_on=YESTERDAY, categories=[referral.organization_category])
    client.force_login(coordinator)
    form = client.get(reverse("referral_move", args=[referral.pk, S.REQUESTED]))
    assert form.status_code == 200 and "この連絡を記録に残す" in form.content.decode()
    logs_before = ContactLog.objects.count()
    response = client.post(
        reverse("referral_move", args=[referral.pk, S.REQUESTED]),
        {
            "on": on_text(YESTERDAY),
            "version": 1,
            "record": "new",
            "contact_method": ContactMethod.objects.get(code="phone").pk,
            "contact_started_at": "１０：３０",
            "contact_duration": "15分",
            "follow_up_action": "回答の確認",
            "follow_up_due_on": on_text(TODAY + timedelta(days=7)),
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.state, referral.requested_on) == (S.REQUESTED, YESTERDAY)
    assert ContactLog.objects.count() == logs_before + 1
    step = referral.steps.order_by("-id").first()
    assert step.contact_log.duration_minutes == 15
    follow_up = FollowUp.objects.get(referral=referral)
    assert (follow_up.action, follow_up.assignee, follow_up.contact_log) == (
        "回答の確認",
        coordinator,
        step.contact_log,
    )

    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "回答の確認" in page and "連絡の記録を開く" in page and "送付" in page


def test_a_refused_follow_up_leaves_the_move_undone(client, coordinator, referral):
    make_consent(referral.client, coordinator, given_on=YESTERDAY, categories=[referral.organization_category])
    client.force_login(coordinator)
    response = client.post(
        reverse("referral_move", args=[referral.pk, S.REQUESTED]),
        {"on": on_text(YESTERDAY), "version": 1, "record": "none", "follow_up_action": "x" * 201},
    )
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.state == S.DRAFT


def test_a_stale_move_is_refused_and_changes_nothing(client, coordinator, referral):
    client.force_login(coordinator)
    data = {"on": on_text(YESTERDAY), "version": 1, "note": "家族の希望で中止"}
    assert client.post(reverse("referral_move", args=[referral.pk, S.CANCELLED]), data).status_code == 302
    response = client.post(reverse("referral_move", args=[referral.pk, S.CANCELLED]), data, follow=True)
    # Already cancelled: the table allows no move any more, and the page says so.
    assert "もう状態を変えられません" in response.content.decode()
    referral.refresh_from_db()
    assert (referral.state, referral.version, referral.steps.count()) == (S.CANCELLED, 2, 2)


def test_a_move_read_at_an_old_version_is_refused(client, coordinator, referral):
    client.force_login(coordinator)
    Referral.objects.filter(pk=referral.pk).update(version=5)
    response = client.post(
        reverse("referral_move", args=[referral.pk, S.CANCELLED]),
        {"on": on_text(YESTERDAY), "version": 1, "note": "中止"},
        follow=True,
    )
    assert "ほかの人がこのつなぎを先に更新しました" in response.content.decode()
    referral.refresh_from_db()
    assert (referral.state, referral.version) == (S.DRAFT, 5)


def test_a_move_not_allowed_from_the_state_is_refused_in_japanese(client, coordinator, referral):
    client.force_login(coordinator)
    response = client.get(reverse("referral_move", args=[referral.pk, S.ENDED]), follow=True)
    assert "今「準備中」のため、「終了」にはできません" in response.content.decode()
    assert client.get(reverse("referral_move", args=[referral.pk, "nonsense"])).status_code == 404


def test_an_edit_after_sending_goes_back_to_the_page(client, coordinator, referral):
    Referral.objects.filter(pk=referral.pk).update(state=S.REQUESTED)
    client.force_login(coordinator)
    response = client.get(reverse("referral_update", args=[referral.pk]), follow=True)
    assert "依頼（送付）した後は、共有した情報とつなぎ先を変えられません" in response.content.decode()


def test_a_stale_edit_shows_the_conflict(client, coordinator, referral):
    client.force_login(coordinator)
    Referral.objects.filter(pk=referral.pk).update(version=3, purpose="ほかの人の目的")
    response = client.post(
        reverse("referral_update", args=[referral.pk]),
        {"provider": referral.provider_id, "purpose": "わたしの目的", "coordinator": coordinator.pk, "version": 1},
    )
    assert response.status_code == 409
    assert "ほかの人がこのつなぎを先に更新しました" in response.content.decode()


def test_a_supervisors_override_is_recorded_with_its_reason_in_the_access_log(client, supervisor, referral):
    client.force_login(supervisor)
    url = reverse("referral_override", args=[referral.pk])
    refused = client.post(url, {"reason": "", "version": 1})
    assert refused.status_code == 400 and "例外を認める理由を入力してください。" in refused.content.decode()
    accepted = client.post(url, {"reason": "退院前の調整で急ぎ", "version": 1})
    assert accepted.status_code == 302

    events = AccessEvent.objects.filter(url_name="referral_override", method="POST").order_by("pk")
    assert [(e.action, e.outcome, e.object_ids) for e in events] == [
        (Action.CONSENT_OVERRIDE, Outcome.REFUSED, {"pk": referral.pk}),
        (Action.CONSENT_OVERRIDE, Outcome.SUCCESS, {"pk": referral.pk}),
    ]
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert page.count("退院前の調整で急ぎ") >= 2  # on the page and in its history


def test_a_coordinator_may_not_override(client, coordinator, referral):
    client.force_login(coordinator)
    assert (
        client.post(reverse("referral_override", args=[referral.pk]), {"reason": "急ぎ", "version": 1}).status_code
        == 403
    )
    referral.refresh_from_db()
    assert referral.consent_override_reason == ""


def test_a_withdrawn_consent_is_flagged_in_red(client, coordinator, referral):
    consent = make_consent(
        referral.client,
        coordinator,
        given_on=YESTERDAY - timedelta(days=7),
        categories=[referral.organization_category],
    )
    Referral.objects.filter(pk=referral.pk).update(state=S.REQUESTED, consent=consent)
    consent.withdrawn_on = TODAY
    consent.save()
    client.force_login(coordinator)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "このつなぎの根拠となった同意は" in page and "撤回されています" in page


def test_the_kinds_are_offered_for_a_free_text_organization(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("referral_create")).content.decode()
    assert ProviderCategory.objects.order_by("position").first().name in page


def test_the_client_page_lists_the_referrals_and_their_steps_in_constant_queries(client, demo_office, coordinator):
    child = make_referral_client(demo_office)
    client.force_login(coordinator)
    url = reverse("client_detail", args=[child.pk])
    make_referral(demo_office, coordinator, client=child, on=YESTERDAY)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert f'href="{reverse("referral_create")}?client={child.pk}"' in page
    assert "つなぐ" in page and "を<strong>準備中</strong>に" in page
    for _ in range(4):
        make_referral(demo_office, coordinator, client=child, on=YESTERDAY)
    with CaptureQueriesContext(connection) as five:
        page = client.get(url).content.decode()
    assert page.count("つなぎを開く") == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_an_override_of_a_sent_referral_goes_back_to_its_page(client, supervisor, referral):
    Referral.objects.filter(pk=referral.pk).update(state=S.REQUESTED)
    client.force_login(supervisor)
    response = client.get(reverse("referral_override", args=[referral.pk]), follow=True)
    assert "依頼（送付）する前のつなぎにだけ認められます" in response.content.decode()
    assert (
        client.post(reverse("referral_override", args=[referral.pk]), {"reason": "後から", "version": 1}).status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.consent_override_reason == ""


def test_the_referrals_follow_ups_can_be_closed_and_added_on_its_page(client, demo_office, coordinator, referral):
    follow_up = follow_up_create(
        office=demo_office, created_by=coordinator, action="家族に受け入れ日を伝える", referral=referral
    )
    client.force_login(coordinator)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert reverse("follow_up_update", args=[follow_up.pk]) in page
    assert reverse("follow_up_done", args=[follow_up.pk]) in page
    assert f"{reverse('follow_up_create')}?referral={referral.pk}" in page

    response = client.post(
        reverse("follow_up_done", args=[follow_up.pk]),
        {
            "version": follow_up.version,
            "done_on": timezone.localdate().isoformat(),
            "outcome": "伝えた",
            "next": reverse("referral_detail", args=[referral.pk]),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("referral_detail", args=[referral.pk])
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "対応済み" in page and "伝えた" in page
    assert reverse("follow_up_reopen", args=[follow_up.pk]) in page


def test_a_new_referral_filled_in_from_a_client_is_in_the_access_log(client, coordinator, referral):
    client.force_login(coordinator)
    assert client.get(reverse("referral_create"), {"client": referral.client_id}).status_code == 200
    event = AccessEvent.objects.order_by("-id").first()
    assert (event.action, event.url_name, event.username) == (Action.VIEW, "referral_create", "coordinator")
