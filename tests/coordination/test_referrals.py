"""Referral services: the one table of moves, the consent gate and its override, the frozen snapshot,
conflicts, and a move that is itself a contact counted once in the 業務報告書."""

import itertools
from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from coordination.clients.models import Consent
from coordination.fiscal import FiscalPeriod, fiscal_year_of, quarter_of
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from coordination.referrals.models import Referral, ReferralStep
from coordination.referrals.services import (
    SHARED_FROZEN,
    ReferralConflict,
    StepContact,
    referral_create,
    referral_move,
    referral_override_consent,
    referral_update,
)
from coordination.referrals.states import MOVE_BY_PAIR, MOVES, ReferralState, move_between
from reporting.quarterly import build_quarterly_report
from tests.coordination.client_factories import make_log
from tests.coordination.referral_factories import (
    START,
    a_provider,
    make_consent,
    make_referral,
    make_referral_client,
    other_category,
)

pytestmark = pytest.mark.django_db

S = ReferralState
LATER = START + timedelta(days=10)


@pytest.fixture
def referral(demo_office, coordinator):
    return make_referral(demo_office, coordinator)


@pytest.fixture
def consent(referral, coordinator):
    return make_consent(referral.client, coordinator, categories=[referral.organization_category])


def put_in_state(referral: Referral, state: str) -> Referral:
    Referral.objects.filter(pk=referral.pk).update(state=state)
    referral.refresh_from_db()
    return referral


def snapshot(referral: Referral) -> tuple:
    referral.refresh_from_db()
    return (referral.state, referral.version, referral.state_changed_on, referral.steps.count())


# --- creating and editing --------------------------------------------------------------------


def test_a_new_referral_is_in_preparation_with_its_first_step(referral, coordinator):
    assert referral.state == S.DRAFT and referral.version == 1
    assert referral.organization_category == referral.provider.category
    assert list(referral.steps.values_list("source", "target", "on", "by")) == [("", S.DRAFT, START, coordinator.pk)]
    assert referral.history.count() == 1


def test_a_free_text_organization_needs_its_kind(demo_office, coordinator):
    client = make_referral_client(demo_office)
    with pytest.raises(ValidationError) as refused:
        referral_create(
            office=demo_office,
            created_by=coordinator,
            client=client,
            organization_name="みなみ療育センター",
            purpose="相談",
            coordinator=coordinator,
        )
    assert "organization_category" in refused.value.message_dict
    assert not Referral.objects.filter(client=client).exists()


def test_a_referral_names_a_provider_or_an_organization(demo_office, coordinator):
    client = make_referral_client(demo_office)
    with pytest.raises(ValidationError) as refused:
        referral_create(
            office=demo_office, created_by=coordinator, client=client, purpose="相談", coordinator=coordinator
        )
    assert "つなぎ先をディレクトリから選ぶか" in str(refused.value)


def test_an_edit_while_in_preparation_is_saved_with_a_new_version(referral, coordinator):
    updated = referral_update(
        referral=referral,
        expected_version=1,
        user=coordinator,
        provider=referral.provider,
        purpose="短期入所の相談",
        coordinator=coordinator,
    )
    assert (updated.purpose, updated.version) == ("短期入所の相談", 2)


def test_a_stale_edit_is_refused(referral, coordinator):
    fields = {"provider": referral.provider, "purpose": "一回目", "coordinator": coordinator}
    referral_update(referral=referral, expected_version=1, user=coordinator, **fields)
    with pytest.raises(ReferralConflict):
        referral_update(referral=referral, expected_version=1, user=coordinator, **{**fields, "purpose": "二回目"})
    referral.refresh_from_db()
    assert referral.purpose == "一回目"


def test_what_was_shared_cannot_be_edited_after_sending(referral, consent, coordinator):
    referral_move(referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=LATER)
    with pytest.raises(ValidationError) as refused:
        referral_update(
            referral=referral,
            expected_version=2,
            user=coordinator,
            provider=referral.provider,
            purpose="別の目的",
            coordinator=coordinator,
            shared_note="書き換え",
        )
    assert SHARED_FROZEN in refused.value.messages
    referral.refresh_from_db()
    assert referral.shared_note == "夜間の吸引が多い" and referral.version == 2


# --- the table of moves -----------------------------------------------------------------------


@pytest.mark.parametrize("move", MOVES, ids=lambda move: f"{move.source}-{move.target}")
def test_every_move_of_the_table_is_allowed(referral, consent, coordinator, move):
    put_in_state(referral, move.source)
    moved = referral_move(
        referral=referral, expected_version=1, user=coordinator, target=move.target, on=LATER, note="理由あり"
    )
    moved.refresh_from_db()
    assert (moved.state, moved.state_changed_on, moved.version) == (move.target, LATER, 2)
    step = moved.steps.order_by("-id").first()
    assert (step.source, step.target, step.on, step.by, step.note) == (
        move.source,
        move.target,
        LATER,
        coordinator,
        "理由あり",
    )
    assert moved.history.order_by("-history_id").first().history_user == coordinator


REFUSED_PAIRS = [
    (source, target) for source, target in itertools.product(S.values, S.values) if (source, target) not in MOVE_BY_PAIR
]


@pytest.mark.parametrize(("source", "target"), REFUSED_PAIRS, ids=lambda value: value)
def test_every_move_not_in_the_table_is_refused_and_changes_nothing(referral, consent, coordinator, source, target):
    put_in_state(referral, source)
    before = snapshot(referral)
    with pytest.raises(ValidationError) as refused:
        referral_move(referral=referral, expected_version=1, user=coordinator, target=target, on=LATER, note="理由")
    message = refused.value.messages[0]
    assert f"今「{S(source).label}」のため" in message or f"「{S(source).label}」で終わっている" in message
    assert snapshot(referral) == before


def test_the_refusal_names_the_moves_allowed(referral, coordinator):
    with pytest.raises(ValidationError) as refused:
        referral_move(referral=referral, expected_version=1, user=coordinator, target=S.ACCEPTED, on=LATER)
    assert refused.value.messages == [
        "このつなぎは今「準備中」のため、「受理」にはできません。今できるのは「依頼済」「取消」です。"
    ]


def test_an_unknown_state_is_refused(referral, coordinator):
    with pytest.raises(ValidationError):
        referral_move(referral=referral, expected_version=1, user=coordinator, target="flying", on=LATER)


def test_cancelling_needs_a_reason(referral, coordinator):
    before = snapshot(referral)
    with pytest.raises(ValidationError) as refused:
        referral_move(referral=referral, expected_version=1, user=coordinator, target=S.CANCELLED, on=LATER)
    assert refused.value.message_dict == {"note": ["「取り消す」には理由を入力してください。"]}
    assert snapshot(referral) == before


def test_a_decline_keeps_its_reason_and_the_answer_date(referral, coordinator):
    put_in_state(referral, S.REQUESTED)
    with pytest.raises(ValidationError):
        referral_move(referral=referral, expected_version=1, user=coordinator, target=S.DECLINED, on=LATER)
    moved = referral_move(
        referral=referral, expected_version=1, user=coordinator, target=S.DECLINED, on=LATER, note="定員超過"
    )
    assert (moved.decline_reason, moved.answered_on) == ("定員超過", LATER)


def test_an_acceptance_sets_the_answer_date(referral, coordinator):
    put_in_state(referral, S.REQUESTED)
    moved = referral_move(referral=referral, expected_version=1, user=coordinator, target=S.ACCEPTED, on=LATER)
    assert moved.answered_on == LATER


def test_a_move_in_the_future_is_refused(referral, consent, coordinator):
    before = snapshot(referral)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        referral_move(referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=tomorrow)
    assert "未来の日付" in refused.value.message_dict["on"][0]
    assert snapshot(referral) == before


def test_a_move_before_the_last_step_is_refused(referral, consent, coordinator):
    before = snapshot(referral)
    with pytest.raises(ValidationError) as refused:
        referral_move(
            referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=START - timedelta(days=1)
        )
    assert refused.value.message_dict["on"] == ["日付は前の経過（2025年4月1日）より後の日にしてください。"]
    assert snapshot(referral) == before


def test_a_second_person_moving_the_same_referral_is_refused(referral, consent, coordinator, supervisor):
    referral_move(referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=LATER)
    with pytest.raises(ReferralConflict):
        referral_move(
            referral=referral, expected_version=1, user=coordinator, target=S.CANCELLED, on=LATER, note="重複"
        )
    referral.refresh_from_db()
    assert (referral.state, referral.version, referral.steps.count()) == (S.REQUESTED, 2, 2)


# --- the consent gate -------------------------------------------------------------------------

GIVEN, EXPIRES, WITHDRAWN = date(2025, 5, 10), date(2025, 6, 30), date(2025, 6, 15)


@pytest.mark.parametrize(
    ("consent_fields", "day", "covered"),
    [
        ({}, GIVEN, True),
        ({}, GIVEN - timedelta(days=1), False),
        ({"expires_on": EXPIRES}, EXPIRES, True),
        ({"expires_on": EXPIRES}, EXPIRES + timedelta(days=1), False),
        ({"withdrawn_on": WITHDRAWN}, WITHDRAWN, False),
        ({"withdrawn_on": WITHDRAWN}, WITHDRAWN - timedelta(days=1), True),
    ],
    ids=[
        "given-on-day",
        "day-before-given",
        "expiry-day",
        "day-after-expiry",
        "withdrawal-day",
        "day-before-withdrawal",
    ],
)
def test_the_consent_gate_at_its_date_boundaries(referral, coordinator, consent_fields, day, covered):
    given = make_consent(
        referral.client, coordinator, given_on=GIVEN, categories=[referral.organization_category], **consent_fields
    )
    move = {"referral": referral, "expected_version": 1, "user": coordinator, "target": S.REQUESTED, "on": day}
    if covered:
        moved = referral_move(**move)
        assert (moved.state, moved.consent, moved.requested_on) == (S.REQUESTED, given, day)
    else:
        before = snapshot(referral)
        with pytest.raises(ValidationError) as refused:
            referral_move(**move)
        assert snapshot(referral) == before
        category = referral.organization_category.name
        assert refused.value.message_dict["consent"][0].startswith(
            f"{category}との情報共有について、{day.year}年{day.month}月{day.day}日時点で有効な同意の記録がありません。"
        )


def test_a_consent_for_another_kind_of_organization_does_not_cover(referral, coordinator):
    make_consent(referral.client, coordinator, categories=[other_category(referral.organization_category)])
    with pytest.raises(ValidationError) as refused:
        referral_move(referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=LATER)
    assert "有効な同意の記録がありません" in refused.value.message_dict["consent"][0]
    assert "「情報共有の同意」" in refused.value.message_dict["consent"][0]


def test_a_consent_of_another_client_does_not_cover(demo_office, referral, coordinator):
    someone_else = make_referral_client(demo_office, name="別 の子")
    make_consent(someone_else, coordinator, categories=[referral.organization_category])
    with pytest.raises(ValidationError):
        referral_move(referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=LATER)


def test_a_consent_withdrawn_later_flags_the_open_referral(referral, consent, coordinator):
    referral_move(referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=LATER)
    assert not Referral.objects.get(pk=referral.pk).consent_withdrawn
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=LATER + timedelta(days=3))
    flagged = Referral.objects.get(pk=referral.pk)
    assert flagged.consent_withdrawn
    assert list(Referral.objects.consent_withdrawn()) == [flagged]


# --- the supervisor's override ----------------------------------------------------------------


def test_only_a_supervisor_may_override_the_gate(referral, coordinator):
    with pytest.raises(PermissionDenied):
        referral_override_consent(referral=referral, expected_version=1, user=coordinator, reason="急ぎ")
    referral.refresh_from_db()
    assert referral.consent_override_reason == "" and referral.version == 1


def test_an_override_needs_a_reason(referral, supervisor):
    with pytest.raises(ValidationError) as refused:
        referral_override_consent(referral=referral, expected_version=1, user=supervisor, reason="  ")
    assert refused.value.message_dict == {"reason": ["例外を認める理由を入力してください。"]}


def test_an_override_lets_the_referral_be_sent_and_is_in_its_history(referral, supervisor, coordinator):
    overridden = referral_override_consent(
        referral=referral, expected_version=1, user=supervisor, reason="退院日が迫り、書面の同意は後日"
    )
    assert (overridden.consent_override_by, overridden.version) == (supervisor, 2)
    record = overridden.history.order_by("-history_id").first()
    assert (record.history_user, record.consent_override_reason) == (supervisor, "退院日が迫り、書面の同意は後日")

    sent = referral_move(referral=referral, expected_version=2, user=coordinator, target=S.REQUESTED, on=LATER)
    assert (sent.state, sent.consent) == (S.REQUESTED, None)


def test_an_override_after_sending_is_refused(referral, consent, coordinator, supervisor):
    referral_move(referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=LATER)
    with pytest.raises(ValidationError):
        referral_override_consent(referral=referral, expected_version=2, user=supervisor, reason="後から")


# --- what was shared ----------------------------------------------------------------------------


def test_what_was_shared_is_frozen_as_it_read_on_the_day_it_was_sent(referral, consent, coordinator):
    sent = referral_move(referral=referral, expected_version=1, user=coordinator, target=S.REQUESTED, on=LATER)
    frozen = sent.shared_snapshot
    assert "2025年4月11日 送付" in frozen
    assert "氏名：紡 つむぎ（ツムギ ツムギ）　生年月日：2021年5月3日" in frozen
    assert "保護者の連絡先：紡 由美（母）03-1111-2222" in frozen
    assert "医療的ケアの内容：人工呼吸器" in frozen
    assert "補足：夜間の吸引が多い" in frozen
    assert "住所地" not in frozen  # not chosen

    client = referral.client
    client.name = "改名 つむぎ"
    client.save()
    client.guardians.update(phone="090-9999-9999")
    referral.refresh_from_db()
    assert referral.shared_snapshot == frozen


# --- a move that is itself a contact --------------------------------------------------------------


def report_counts(office, period) -> dict:
    report = build_quarterly_report(office, period)
    counts = {"contacts": report.sections[0].total["contacts"]}
    for section in report.sections[2:5]:
        counts.update({(section.number, row.key): row.values["count"] for row in section.rows})
    return counts


def test_an_answer_by_phone_makes_one_log_counted_once_in_the_report(demo_office, referral, coordinator):
    today = timezone.localdate()
    period = FiscalPeriod(fiscal_year_of(today), quarter_of(today), quarter_of(today))
    put_in_state(referral, S.REQUESTED)
    before = report_counts(demo_office, period)
    logs_before = ContactLog.objects.count()

    moved = referral_move(
        referral=referral,
        expected_version=1,
        user=coordinator,
        target=S.ACCEPTED,
        on=today,
        contact=StepContact(
            method=ContactMethod.objects.get(code="phone"),
            started_at=time(10, 0),
            duration_minutes=10,
            confidential_notes="来月から受け入れ可",
        ),
    )

    assert ContactLog.objects.count() == logs_before + 1
    log = moved.steps.order_by("-id").first().contact_log
    assert (log.client, log.occurred_on, log.coordinator) == (referral.client, today, coordinator)
    assert [t.code for t in log.activity_types.all()] == ["service-adjustment"]
    counterpart = log.counterparts.get()
    assert (counterpart.provider, counterpart.category) == (
        referral.provider,
        referral.provider.category.counterpart_category,
    )

    after = report_counts(demo_office, period)
    changed = {key: after[key] - before[key] for key in after if after[key] != before[key]}
    assert changed == {
        "contacts": 1,
        (3, counterpart.category.code): 1,
        (4, "phone"): 1,
        (5, "service-adjustment"): 1,
    }


def test_a_free_text_organization_is_the_counterpart_of_its_log(demo_office, coordinator):
    client = make_referral_client(demo_office)
    category = a_provider().category
    referral = referral_create(
        office=demo_office,
        created_by=coordinator,
        client=client,
        organization_name="みなみ療育センター",
        organization_category=category,
        purpose="相談",
        coordinator=coordinator,
        on=START,
    )
    make_consent(client, coordinator, categories=[category])
    moved = referral_move(
        referral=referral,
        expected_version=1,
        user=coordinator,
        target=S.REQUESTED,
        on=LATER,
        contact=StepContact(
            method=ContactMethod.objects.get(code="phone"),
            activity_types=[ActivityType.objects.get(code="service-adjustment")],
        ),
    )
    counterpart = moved.steps.order_by("-id").first().contact_log.counterparts.get()
    assert (counterpart.organization_name, counterpart.category) == (
        "みなみ療育センター",
        category.counterpart_category,
    )


def test_a_move_can_link_an_existing_log_of_the_client(referral, coordinator):
    put_in_state(referral, S.REQUESTED)
    log = make_log(referral.client, coordinator, LATER)
    logs_before = ContactLog.objects.count()
    moved = referral_move(
        referral=referral,
        expected_version=1,
        user=coordinator,
        target=S.ACCEPTED,
        on=LATER,
        contact=StepContact(log=log),
    )
    assert moved.steps.order_by("-id").first().contact_log == log
    assert ContactLog.objects.count() == logs_before


def test_a_log_of_another_client_cannot_be_linked(demo_office, referral, coordinator):
    put_in_state(referral, S.REQUESTED)
    other = make_log(make_referral_client(demo_office, name="他 の子"), coordinator, LATER)
    before = snapshot(referral)
    with pytest.raises(ValidationError) as refused:
        referral_move(
            referral=referral,
            expected_version=1,
            user=coordinator,
            target=S.ACCEPTED,
            on=LATER,
            contact=StepContact(log=other),
        )
    assert "contact_log" in refused.value.message_dict
    assert snapshot(referral) == before


def test_a_refused_log_leaves_no_step_and_no_log(referral, coordinator):
    put_in_state(referral, S.REQUESTED)
    before, logs_before = snapshot(referral), ContactLog.objects.count()
    leaf_parent = ContactMethod.objects.filter(children__isnull=False).first()
    with pytest.raises(ValidationError):
        referral_move(
            referral=referral,
            expected_version=1,
            user=coordinator,
            target=S.ACCEPTED,
            on=LATER,
            contact=StepContact(method=leaf_parent),
        )
    assert snapshot(referral) == before and ContactLog.objects.count() == logs_before
    assert not ReferralStep.objects.filter(referral=referral, target=S.ACCEPTED).exists()


def test_the_table_is_consistent():
    # Every move's pair looks itself up; 終了 and 取消 and 辞退 lead nowhere.
    assert all(move_between(move.source, move.target) is move for move in MOVES)
    assert not [move for move in MOVES if move.source in (S.ENDED, S.CANCELLED, S.DECLINED)]
