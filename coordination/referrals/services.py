"""Writes on referrals: created, edited while 準備中, moved through the states of states.py, the consent gate."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Office, User
from common.services import EditConflict, lock_for_edit
from coordination.clients.models import Client, Consent
from coordination.history_records import history_paused
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from coordination.logs.services import CounterpartEntry, contact_log_create
from coordination.referrals.models import REFERRAL_HISTORY, Referral, ReferralStep, SharedItem
from coordination.referrals.states import ReferralState, move_between, moves_from
from directory.models import MedicalCareProcedure, Provider, ProviderCategory
from tabular.dates import refuse_future
from tabular.wareki import format_date

# The activity type a contact made by a referral's move is counted under unless another is chosen.
DEFAULT_ACTIVITY_TYPE_CODE = "service-adjustment"

REFERRAL_CONFLICT = (
    "ほかの人がこのつなぎを先に更新しました。あなたの操作はまだ保存されていません。"
    "つなぎの画面で今の状態を確かめてから、もう一度操作してください。"
)
OVERRIDE_AFTER_SENDING = "同意の確認の例外は、依頼（送付）する前のつなぎにだけ認められます。"
SHARED_FROZEN = "依頼（送付）した後は、共有した情報とつなぎ先を変えられません。送付時の内容のまま残します。"

# What of a referral may change only while it is 準備中: what is shared and with whom.
FROZEN_AFTER_SENDING = (
    "provider",
    "organization_name",
    "organization_category",
    "procedures",
    "shared_items",
    "shared_note",
)


class ReferralConflict(EditConflict):
    """The referral changed since the user read it; `current` is what is saved now."""

    message = REFERRAL_CONFLICT


@dataclass(frozen=True)
class StepContact:
    """A move that was itself a contact: an existing log of the client to link, or the data of a new one."""

    log: ContactLog | None = None
    method: ContactMethod | None = None
    started_at: time | None = None
    duration_minutes: int | None = None
    activity_types: Sequence[ActivityType] = field(default_factory=tuple)
    confidential_notes: str = ""


def missing_consent_message(*, category: ProviderCategory, day: date) -> str:
    """What the gate says when no consent covers a referral's kind of organization on a day."""
    return (
        f"{category.name}との情報共有について、{format_date(day)}時点で有効な同意の記録がありません。"
        "相談対象者の画面の「情報共有の同意」で、この種別を含む同意を記録してから依頼してください"
        "（記録できない事情があるときは、管理者が理由を書いて例外を認められます）。"
    )


def covering_consent(referral: Referral, day: date) -> Consent | None:
    """The newest consent of the client in force on `day` covering the referral's kind of organization."""
    return (
        Consent.objects.filter(client_id=referral.client_id)
        .covering(category=referral.organization_category, day=day)
        .order_by("-given_on", "-id")
        .first()
    )


def _check_office(referral: Referral, *, office: Office) -> None:
    errors = {}
    if referral.client_id and referral.client.office_id != office.pk:
        errors["client"] = "この事業所の相談対象者から選んでください。"
    if referral.coordinator_id and (referral.coordinator.office_id != office.pk or not referral.coordinator.is_active):
        errors["coordinator"] = "担当は同じ事業所の職員から選んでください。"
    if errors:
        raise ValidationError(errors)


def _clean_shared_items(items: Sequence[str]) -> list[str]:
    unknown = [item for item in items if item not in SharedItem.values]
    if unknown:
        raise ValidationError({"shared_items": "共有する情報は一覧から選んでください。"})
    # Kept in the table's order, once each.
    return [item for item in SharedItem.values if item in set(items)]


def _set_fields(referral: Referral, *, provider: Provider | None, organization_category, **fields) -> None:
    referral.provider = provider
    if provider is not None:
        # A directory provider's own kind decides which consent covers the referral.
        referral.organization_category = provider.category
    elif organization_category is not None:
        referral.organization_category = organization_category
    for name, value in fields.items():
        setattr(referral, name, value.strip() if isinstance(value, str) else value)


def _validate(referral: Referral, *, office: Office) -> None:
    errors: dict = {}
    try:
        referral.full_clean(exclude=["organization_category"] if not referral.organization_category_id else None)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if not referral.organization_category_id:
        errors.setdefault("organization_category", []).append("つなぎ先の種別を選んでください。")
    try:
        _check_office(referral, office=office)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _save_with_procedures(
    referral: Referral, *, procedures: Sequence[MedicalCareProcedure], user: User, history_type: str
) -> None:
    """One history record per save, written once the procedures are in place (as for clients)."""
    with history_paused(referral):
        referral.save()
        referral.procedures.set(procedures)
    referral._history_user = user
    REFERRAL_HISTORY.create_historical_record(referral, history_type)


@transaction.atomic
def referral_create(
    *,
    office: Office,
    created_by: User,
    client: Client,
    purpose: str,
    coordinator: User,
    provider: Provider | None = None,
    organization_name: str = "",
    organization_category: ProviderCategory | None = None,
    procedures: Sequence[MedicalCareProcedure] = (),
    needs: str = "",
    shared_items: Sequence[str] = (),
    shared_note: str = "",
    answer_due_on: date | None = None,
    on: date | None = None,
) -> Referral:
    """A new referral in 準備中, with its first step; nothing is shared until it is sent."""
    on = on or timezone.localdate()
    referral = Referral(office=office, created_by=created_by, state=ReferralState.DRAFT, state_changed_on=on)
    _set_fields(
        referral,
        provider=provider,
        organization_category=organization_category,
        client=client,
        organization_name="" if provider is not None else organization_name,
        purpose=purpose,
        needs=needs,
        shared_items=_clean_shared_items(shared_items),
        shared_note=shared_note,
        answer_due_on=answer_due_on,
        coordinator=coordinator,
    )
    _validate(referral, office=office)
    _save_with_procedures(referral, procedures=procedures, user=created_by, history_type="+")
    ReferralStep.objects.create(referral=referral, source="", target=ReferralState.DRAFT, on=on, by=created_by)
    return referral


@transaction.atomic
def referral_update(
    *,
    referral: Referral,
    expected_version: int,
    user: User,
    purpose: str,
    coordinator: User,
    provider: Provider | None = None,
    organization_name: str = "",
    organization_category: ProviderCategory | None = None,
    procedures: Sequence[MedicalCareProcedure] = (),
    needs: str = "",
    shared_items: Sequence[str] = (),
    shared_note: str = "",
    answer_due_on: date | None = None,
) -> Referral:
    """Saves an edit read at `expected_version` (ReferralConflict if it changed since); only while 準備中."""
    current = lock_for_edit(Referral, pk=referral.pk, expected_version=expected_version, conflict=ReferralConflict)
    if current.state != ReferralState.DRAFT:
        raise ValidationError(SHARED_FROZEN)
    _set_fields(
        current,
        provider=provider,
        organization_category=organization_category,
        organization_name="" if provider is not None else organization_name,
        purpose=purpose,
        needs=needs,
        shared_items=_clean_shared_items(shared_items),
        shared_note=shared_note,
        answer_due_on=answer_due_on,
        coordinator=coordinator,
    )
    _validate(current, office=current.office)
    current.version += 1
    _save_with_procedures(current, procedures=procedures, user=user, history_type="~")
    return current


def shared_snapshot_text(referral: Referral, *, on: date) -> str:
    """What a referral passes on, as the client's record reads on the day it is sent: readable plain text."""
    client = referral.client
    items = set(referral.shared_items)
    lines = [
        f"{format_date(on)} 送付 ／ つなぎ先：{referral.organization_label}（{referral.organization_category.name}）"
    ]
    for item in SharedItem:
        if item not in items:
            continue
        if item == SharedItem.IDENTITY:
            birth = format_date(client.birth_date) if client.birth_date else "不明"
            kana = f"（{client.name_kana}）" if client.name_kana else ""
            lines.append(f"氏名：{client.name}{kana}　生年月日：{birth}")
        elif item == SharedItem.ADDRESS:
            place = client.district.name if client.district_id else client.municipality_outside or "不明"
            lines.append(f"住所地：{place}")
        elif item == SharedItem.GUARDIAN_CONTACT:
            guardian = client.guardians.order_by("-is_primary", "id").first()
            if guardian is None:
                lines.append("保護者の連絡先：記録なし")
            else:
                contact = "　".join(part for part in (guardian.phone, guardian.email) if part) or "連絡先の記録なし"
                lines.append(f"保護者の連絡先：{guardian.name}（{guardian.relationship}）{contact}")
        elif item == SharedItem.PROCEDURES:
            names = "、".join(p.name for p in client.procedures.order_by("position")) or "なし"
            lines.append(f"医療的ケアの内容：{names}")
        else:
            lines.append(f"{item.label}：補足のとおり")
    if referral.purpose:
        lines.append(f"目的：{referral.purpose}")
    if referral.needs:
        lines.append(f"関係するニーズ・困りごと：{referral.needs}")
    if referral.shared_note:
        lines.append(f"補足：{referral.shared_note}")
    return "\n".join(lines)


def not_allowed_message(referral: Referral, target: str) -> str:
    """Why a move is refused: the referral's state now and the moves it allows."""
    allowed = moves_from(referral.state)
    current = referral.get_state_display()
    wanted = ReferralState(target).label if target in ReferralState.values else target
    if allowed:
        choices = "".join(f"「{ReferralState(move.target).label}」" for move in allowed)
        return f"このつなぎは今「{current}」のため、「{wanted}」にはできません。今できるのは{choices}です。"
    return f"このつなぎは「{current}」で終わっているため、もう状態を変えられません。"


def _step_log(referral: Referral, *, user: User, on: date, contact: StepContact) -> ContactLog:
    """The contact log of a move: the one given (same client), or a new one made in the same transaction."""
    if contact.log is not None:
        log = contact.log
        if log.office_id != referral.office_id or log.client_id != referral.client_id:
            raise ValidationError({"contact_log": "紐づける記録は、このつなぎの相談対象者の記録から選んでください。"})
        return log
    if contact.method is None:
        raise ValidationError({"contact_method": "連絡の方法を選んでください。"})
    activity_types = list(contact.activity_types) or list(ActivityType.objects.filter(code=DEFAULT_ACTIVITY_TYPE_CODE))
    category = referral.organization_category.counterpart_category
    if referral.provider_id:
        counterpart = CounterpartEntry(category=category, provider=referral.provider)
    else:
        counterpart = CounterpartEntry(category=category, organization_name=referral.organization_name)
    try:
        return contact_log_create(
            office=referral.office,
            coordinator=user,
            occurred_on=on,
            method=contact.method,
            activity_types=activity_types,
            counterparts=[counterpart],
            started_at=contact.started_at,
            duration_minutes=contact.duration_minutes,
            client=referral.client,
            confidential_notes=contact.confidential_notes,
        )
    except ValidationError as error:
        names = {"method": "contact_method", "activity_types": "contact_activity_types"}
        raise ValidationError(
            {names.get(name, "contact"): messages for name, messages in error.message_dict.items()}
        ) from None


@transaction.atomic
def referral_move(
    *,
    referral: Referral,
    expected_version: int,
    user: User,
    target: str,
    on: date,
    note: str = "",
    contact: StepContact | None = None,
) -> Referral:
    """Moves a referral read at `expected_version` to `target` on `on`, if the table of moves allows it.

    Sending (依頼済) needs a consent covering the organization's kind on that day, or a supervisor's
    override, and freezes what is shared. A contact move may link or create its contact log here,
    so the report counts that contact once. Nothing changes when anything is refused.
    """
    current = lock_for_edit(Referral, pk=referral.pk, expected_version=expected_version, conflict=ReferralConflict)
    move = move_between(current.state, target)
    if move is None:
        raise ValidationError(not_allowed_message(current, target))
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if move.needs_reason and not note:
        errors["note"] = [f"「{move.label}」には理由を入力してください。"]
    last_day = current.steps.order_by("-on").values_list("on", flat=True).first() or current.state_changed_on
    try:
        refuse_future(on, timezone.localdate())
    except ValidationError as error:
        errors.setdefault("on", []).extend(error.messages)
    if last_day and on < last_day:
        errors.setdefault("on", []).append(f"日付は前の経過（{format_date(last_day)}）より後の日にしてください。")
    if errors:
        raise ValidationError(errors)

    if target == ReferralState.REQUESTED:
        consent = covering_consent(current, on)
        if consent is None and not current.consent_override_by_id:
            raise ValidationError(
                {"consent": missing_consent_message(category=current.organization_category, day=on)},
                code="consent_missing",
            )
        current.consent = consent
        current.requested_on = on
        current.shared_snapshot = shared_snapshot_text(current, on=on)
    elif target in (ReferralState.ACCEPTED, ReferralState.DECLINED):
        current.answered_on = on
        if target == ReferralState.DECLINED:
            current.decline_reason = note

    log = _step_log(current, user=user, on=on, contact=contact) if contact is not None else None
    ReferralStep.objects.create(
        referral=current, source=current.state, target=target, on=on, by=user, note=note, contact_log=log
    )
    current.state = target
    current.state_changed_on = on
    current.version += 1
    current.full_clean()
    current._history_user = user
    current._change_reason = f"{move.label}（{format_date(on)}）{note}".strip()
    current.save()
    return current


@transaction.atomic
def referral_override_consent(*, referral: Referral, expected_version: int, user: User, reason: str) -> Referral:
    """A supervisor lets a 準備中 referral be sent without a covering consent, with a written reason."""
    if not user.has_perm("coordination.override_consent"):
        raise PermissionDenied("同意の確認を例外として認められるのは管理者だけです。")
    current = lock_for_edit(Referral, pk=referral.pk, expected_version=expected_version, conflict=ReferralConflict)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "例外を認める理由を入力してください。"})
    if current.state != ReferralState.DRAFT:
        raise ValidationError(OVERRIDE_AFTER_SENDING)
    current.consent_override_reason = reason
    current.consent_override_by = user
    current.version += 1
    current.full_clean()
    current._history_user = user
    current._change_reason = f"同意確認の例外：{reason}"
    current.save()
    return current
