"""Writes on coordination's records: each validates everything first, then saves all or nothing."""
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from common.kana import fold_for_storage
from common.services import model_update
from directory.models import CounterpartCategory, District, MedicalCareProcedure, Provider
from tabular.dates import refuse_future

from accounts.models import Office, User
from .models import (
    CLIENT_HISTORY,
    CONTACT_LOG_HISTORY,
    ActivityType,
    Client,
    ClientStatus,
    ContactLog,
    ContactMethod,
    Counterpart,
    Event,
    Guardian,
)


@contextmanager
def _history_paused(instance) -> Iterator[None]:
    """Saves of `instance` inside write no history record; the caller writes the one record itself."""
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving


# --- contact logs ------------------------------------------------------------------------------

LOG_CONFLICT = (
    "ほかの人がこの記録を先に更新しました。あなたの入力はまだ保存されていません。"
    "下の「ほかの人が保存した内容」を確かめてから、もう一度保存してください。"
)


@dataclass(frozen=True)
class CounterpartEntry:
    """One party of a log as entered: a §3 category and a directory provider or a free-text name."""

    category: CounterpartCategory
    provider: Provider | None = None
    organization_name: str = ""

    @property
    def key(self) -> tuple:
        return (self.category.pk, self.provider.pk if self.provider else None, self.organization_name.strip())


class ContactLogConflict(ValidationError):
    """The log changed since the editor read it; `current` is what is saved now."""

    def __init__(self, current: ContactLog):
        super().__init__(LOG_CONFLICT, code="conflict")
        self.current = current


def _validate_log(
    log: ContactLog,
    *,
    activity_types: Sequence[ActivityType],
    counterparts: Sequence[CounterpartEntry],
    today: date,
) -> None:
    """Every rule of a log and its parts; raises one ValidationError listing all that fail."""
    errors: dict[str, list[str]] = {}
    try:
        log.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if log.occurred_on:
        try:
            refuse_future(log.occurred_on, today)
        except ValidationError as error:
            errors.setdefault("occurred_on", []).extend(error.messages)
        if log.follow_up_due_on and log.follow_up_due_on < log.occurred_on:
            errors.setdefault("follow_up_due_on", []).append("対応期限は記録の日付より後の日にしてください。")
    if log.client_id and log.client.office_id != log.office_id:
        errors.setdefault("client", []).append("この事業所の相談対象者から選んでください。")
    if log.coordinator_id and log.coordinator.office_id != log.office_id:
        errors.setdefault("coordinator", []).append("この事業所のコーディネーターを指定してください。")

    if not activity_types:
        errors.setdefault("activity_types", []).append("種別を1つ以上選んでください。")
    elif ActivityType.objects.filter(pk__in=[t.pk for t in activity_types], children__isnull=False).exists():
        errors.setdefault("activity_types", []).append("種別は一番下の区分から選んでください。")

    if not counterparts:
        errors.setdefault("counterparts", []).append("相談者・相手先を1件以上入力してください。")
    for number, entry in enumerate(counterparts, start=1):
        counterpart = Counterpart(
            category=entry.category, provider=entry.provider, organization_name=entry.organization_name.strip()
        )
        try:
            counterpart.full_clean(exclude=["contact_log"])
        except ValidationError as error:
            for message in error.messages:
                errors.setdefault("counterparts", []).append(f"相手先{number}：{message}")
    if errors:
        raise ValidationError(errors)


def _save_parts(
    log: ContactLog,
    *,
    activity_types: Sequence[ActivityType],
    counterparts: Sequence[CounterpartEntry],
    user: User,
    when: datetime,
) -> None:
    """Saves the row, its activity types and counterparts; the log's history record is written after."""
    # Without history here: the one record of this save is written once all parts are in place.
    with _history_paused(log):
        log.save()
        log.activity_types.set(activity_types)

    # Counterparts are matched on what they say: unchanged ones stay, with their history.
    remaining = list(counterparts)
    for existing in log.counterparts.all():
        key = (existing.category_id, existing.provider_id, existing.organization_name.strip())
        match = next((entry for entry in remaining if entry.key == key), None)
        if match is not None:
            remaining.remove(match)
            continue
        existing._history_user, existing._history_date = user, when
        existing.delete()
    for entry in remaining:
        counterpart = Counterpart(
            contact_log=log, category=entry.category, provider=entry.provider,
            organization_name=entry.organization_name.strip(),
        )
        counterpart._history_user, counterpart._history_date = user, when
        counterpart.save()


def _record_history(log: ContactLog, history_type: str, *, user: User | None, when: datetime) -> None:
    """One history record for a whole save: the row with its activity types as they now are."""
    log._history_user, log._history_date = user, when
    CONTACT_LOG_HISTORY.create_historical_record(log, history_type)


def _record_baseline(log: ContactLog) -> None:
    """Logs saved in bulk (the demo, imports) have no history yet: keep what they said before a first edit."""
    if log.history.exists():
        return
    _record_history(log, "+", user=None, when=log.created_at)
    counterparts = [c for c in log.counterparts.all() if not c.history.exists()]
    for counterpart in counterparts:
        counterpart._history_user = None
    Counterpart.history.bulk_history_create(counterparts, default_date=log.created_at)


@transaction.atomic
def contact_log_create(
    *,
    office: Office,
    coordinator: User,
    occurred_on: date,
    method: ContactMethod,
    activity_types: Sequence[ActivityType],
    counterparts: Sequence[CounterpartEntry],
    started_at: time | None = None,
    duration_minutes: int | None = None,
    client: Client | None = None,
    report_summary: str = "",
    include_in_report: bool = False,
    confidential_notes: str = "",
    follow_up_action: str = "",
    follow_up_due_on: date | None = None,
    follow_up_done_on: date | None = None,
) -> ContactLog:
    """A new log with its counterparts and activity types, all saved or none."""
    log = ContactLog(
        office=office, coordinator=coordinator, occurred_on=occurred_on, started_at=started_at,
        duration_minutes=duration_minutes, client=client, method=method,
        report_summary=report_summary.strip(), include_in_report=include_in_report,
        confidential_notes=confidential_notes.strip(), follow_up_action=follow_up_action.strip(),
        # Imports carry follow-ups done long ago; the log form leaves this out.
        follow_up_due_on=follow_up_due_on, follow_up_done_on=follow_up_done_on,
    )
    _validate_log(log, activity_types=activity_types, counterparts=counterparts, today=timezone.localdate())
    when = timezone.now()
    _save_parts(log, activity_types=activity_types, counterparts=counterparts, user=coordinator, when=when)
    _record_history(log, "+", user=coordinator, when=when)
    return log


@transaction.atomic
def contact_log_update(
    *,
    log: ContactLog,
    expected_version: int,
    user: User,
    occurred_on: date,
    method: ContactMethod,
    activity_types: Sequence[ActivityType],
    counterparts: Sequence[CounterpartEntry],
    started_at: time | None = None,
    duration_minutes: int | None = None,
    client: Client | None = None,
    report_summary: str = "",
    include_in_report: bool = False,
    confidential_notes: str = "",
    follow_up_action: str = "",
    follow_up_due_on: date | None = None,
) -> ContactLog:
    """Saves an edit read at `expected_version`; refuses it (ContactLogConflict) if the log changed since."""
    # The row lock (PostgreSQL) or the immediate write transaction (SQLite) keeps a second editor
    # waiting here until the first has saved, so the version read below is the latest.
    current = ContactLog.objects.select_for_update().get(pk=log.pk)
    if current.version != expected_version:
        raise ContactLogConflict(current)
    _record_baseline(current)
    current.occurred_on = occurred_on
    current.started_at = started_at
    current.duration_minutes = duration_minutes
    current.client = client
    current.method = method
    current.report_summary = report_summary.strip()
    current.include_in_report = include_in_report
    current.confidential_notes = confidential_notes.strip()
    current.follow_up_action = follow_up_action.strip()
    current.follow_up_due_on = follow_up_due_on
    current.version = expected_version + 1
    _validate_log(current, activity_types=activity_types, counterparts=counterparts, today=timezone.localdate())
    when = timezone.now()
    _save_parts(current, activity_types=activity_types, counterparts=counterparts, user=user, when=when)
    _record_history(current, "~", user=user, when=when)
    return current


# --- events (report sections 6–8) ---------------------------------------------------------------


@dataclass(frozen=True)
class LogCount:
    """How an event also counts as a contact log: the log's method and activity type."""

    method: ContactMethod
    activity_type: ActivityType


EVENT_NOT_HELD_YET = "まだ開催日が来ていないため、相談・支援・活動記録には数えられません。開催後に数えてください。"
EVENT_LOG_HAS_CONTENT = (
    "対応する相談・支援・活動記録に相手先や記録の内容が入力されているため、数えるのをやめられません。"
    "記録の画面で内容を確認してください。"
)


def event_create(
    *,
    office: Office,
    user: User,
    kind: str,
    name: str,
    held_on: date,
    role: str = "",
    scope: str = "",
    started_at: time | None = None,
    ends_on: date | None = None,
    method_venue: str = "",
    topic: str = "",
    audience: str = "",
    participant_count: int | None = None,
    participant_note: str = "",
    count_as: LogCount | None = None,
) -> Event:
    """Record an event; with `count_as`, also its contact log, all or nothing."""
    event = Event(office=office, kind=kind)
    return _event_save(
        event, user=user, count_as=count_as, role=role, scope=scope, name=name, held_on=held_on,
        started_at=started_at, ends_on=ends_on, method_venue=method_venue, topic=topic, audience=audience,
        participant_count=participant_count, participant_note=participant_note,
    )


def event_update(
    *,
    event: Event,
    user: User,
    name: str,
    held_on: date,
    role: str = "",
    scope: str = "",
    started_at: time | None = None,
    ends_on: date | None = None,
    method_venue: str = "",
    topic: str = "",
    audience: str = "",
    participant_count: int | None = None,
    participant_note: str = "",
    count_as: LogCount | None = None,
) -> Event:
    """Change an event and keep its contact log in step (created, updated or removed), all or nothing."""
    return _event_save(
        event, user=user, count_as=count_as, role=role, scope=scope, name=name, held_on=held_on,
        started_at=started_at, ends_on=ends_on, method_venue=method_venue, topic=topic, audience=audience,
        participant_count=participant_count, participant_note=participant_note,
    )


@transaction.atomic
def _event_save(event: Event, *, user: User, count_as: LogCount | None, **fields) -> Event:
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean(exclude=["contact_log"])
    event._history_user = user  # the event page's 変更履歴 names who saved it
    if count_as is not None:
        event.contact_log = _event_log_save(event, user=user, count_as=count_as)
        event.save()
    elif event.contact_log_id is not None:
        log = event.contact_log
        if _log_has_own_content(log):
            raise ValidationError({"count_as_log": EVENT_LOG_HAS_CONTENT})
        event.contact_log = None
        event.save()
        log.delete()
    else:
        event.save()
    return event


def _event_log_save(event: Event, *, user: User, count_as: LogCount) -> ContactLog:
    """The event's contact log, created or brought in step with the event (date, time, method, type)."""
    if event.held_on > timezone.localdate():
        raise ValidationError({"count_as_log": EVENT_NOT_HELD_YET})
    if count_as.activity_type.children.exists():
        raise ValidationError({"log_activity_type": "種別は一番下の区分から選んでください。"})
    if event.contact_log_id is None:
        log, history_type = ContactLog(office=event.office, coordinator=user), "+"
    else:
        # Locked like an edit on the log page; the new version makes an edit open there refuse to save.
        log, history_type = ContactLog.objects.select_for_update().get(pk=event.contact_log_id), "~"
        _record_baseline(log)
        log.version += 1
    log.occurred_on = event.held_on
    log.started_at = event.started_at
    log.method = count_as.method
    try:
        log.full_clean()
    except ValidationError as error:
        # The log's own field names mean nothing on the event's form.
        raise ValidationError(
            {"log_method" if "method" in error.message_dict else "count_as_log": error.messages}
        ) from None
    log.skip_history_when_saving = True
    try:
        log.save()
        # Types chosen on the log page besides this one stay; choosing another type replaces them.
        if not log.activity_types.filter(pk=count_as.activity_type.pk).exists():
            log.activity_types.set([count_as.activity_type])
    finally:
        del log.skip_history_when_saving
    _record_history(log, history_type, user=user, when=timezone.now())
    return log


def _log_has_own_content(log: ContactLog) -> bool:
    """Whether someone added to the log what the event did not put there."""
    return bool(
        log.client_id or log.report_summary or log.confidential_notes or log.follow_up_action
        or log.counterparts.exists()
    )


# --- clients -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianEntry:
    """One guardian as entered; `pk` names an existing guardian of the client when editing."""

    name: str
    relationship: str
    phone: str = ""
    email: str = ""
    is_primary: bool = False
    pk: int | None = None


class ClientFields(TypedDict, total=False):
    """The client's own fields that client_create and client_update set."""

    name: str
    name_kana: str
    birth_date: date | None
    district: District | None
    municipality_outside: str
    has_medical_care: bool
    age_band_override: str
    age_band_override_reason: str
    status: str
    assigned_coordinator: User | None
    consent_obtained_on: date | None
    consent_scope: str
    consent_taken_by: User | None
    notes: str


CLIENT_FIELDS = tuple(ClientFields.__annotations__)


def _validate_client(client: Client, *, procedures: Sequence[MedicalCareProcedure], today: date) -> None:
    """The office's rules of a client beyond the model's; raises one ValidationError listing all that fail."""
    errors: dict[str, list[str]] = {}
    for field in ("birth_date", "consent_obtained_on"):
        day = getattr(client, field)
        if day is not None:
            try:
                refuse_future(day, today)
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
    if procedures and not client.has_medical_care:
        errors.setdefault("procedures", []).append(
            "医療的ケアの内容を選ぶ場合は「医療的ケアあり」に印を付けてください。"
        )
    if (client.consent_scope or client.consent_taken_by_id) and client.consent_obtained_on is None:
        errors.setdefault("consent_obtained_on", []).append(
            "同意の範囲や同意を得た職員を入れる場合は、同意日も入力してください。"
        )
    for field in ("assigned_coordinator", "consent_taken_by"):
        person = getattr(client, field)
        if person is not None and person.office_id != client.office_id:
            errors.setdefault(field, []).append("この事業所の職員から選んでください。")
    if client.district_id and not client.office.district_links.filter(district_id=client.district_id).exists():
        errors.setdefault("district", []).append("この事業所の地区から選んでください。")
    if errors:
        raise ValidationError(errors)


def _save_guardians(client: Client, guardians: Sequence[GuardianEntry], *, user: User) -> None:
    """Makes the client's guardians exactly `guardians`: updates, adds, and deletes the others."""
    if sum(1 for entry in guardians if entry.is_primary) > 1:
        raise ValidationError({"guardians": ["主な連絡先は1人だけにしてください。"]})
    existing = {guardian.pk: guardian for guardian in client.guardians.all()}
    errors, kept = [], []
    for number, entry in enumerate(guardians, start=1):
        if entry.pk is not None and entry.pk not in existing:
            errors.append(f"連絡先{number}：ほかの人が削除しました。画面を開き直してください。")
            continue
        guardian = existing.get(entry.pk) or Guardian(client=client)
        guardian.name, guardian.relationship = entry.name.strip(), entry.relationship.strip()
        guardian.phone, guardian.email, guardian.is_primary = entry.phone.strip(), entry.email.strip(), entry.is_primary
        try:
            guardian.full_clean()
        except ValidationError as error:
            errors.extend(f"連絡先{number}：{message}" for message in error.messages)
        kept.append(guardian)
    if errors:
        raise ValidationError({"guardians": errors})
    for guardian in kept:
        guardian._history_user = user
        guardian.save()
    kept_pks = {guardian.pk for guardian in kept}
    for pk, guardian in existing.items():
        if pk not in kept_pks:
            guardian._history_user = user
            guardian.delete()


def _save_client(
    client: Client,
    *,
    user: User,
    data: ClientFields,
    procedures: Sequence[MedicalCareProcedure],
    guardians: Sequence[GuardianEntry],
) -> Client:
    if user.office_id != client.office_id:
        raise PermissionDenied("ほかの事業所の相談対象者は保存できません。")
    data = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
    if "name_kana" in data:
        # フリガナ is kept folded (full-width katakana, single spaces) so search and sorting agree.
        data["name_kana"] = fold_for_storage(data["name_kana"])
    history_type = "+" if client._state.adding else "~"
    # Without history here: one record of this save, with the procedures, is written once they are set.
    with _history_paused(client):
        model_update(
            instance=client, fields=CLIENT_FIELDS, data=data,
            validate=lambda c: _validate_client(c, procedures=procedures, today=timezone.localdate()),
        )
        client.procedures.set(procedures)
    client._history_user = user
    CLIENT_HISTORY.create_historical_record(client, history_type)
    _save_guardians(client, guardians, user=user)
    return client


@transaction.atomic
def client_create(
    *,
    office: Office,
    user: User,
    procedures: Sequence[MedicalCareProcedure] = (),
    guardians: Sequence[GuardianEntry] = (),
    **data: Unpack[ClientFields],
) -> Client:
    """A new client of the office with their procedures and guardians, all saved or none."""
    return _save_client(Client(office=office), user=user, data=data, procedures=procedures, guardians=guardians)


@transaction.atomic
def client_update(
    *,
    client: Client,
    user: User,
    procedures: Sequence[MedicalCareProcedure] = (),
    guardians: Sequence[GuardianEntry] = (),
    **data: Unpack[ClientFields],
) -> Client:
    """Saves the fields given (the others stay); the procedures and guardians become exactly those given."""
    # The form or import row has usually set the new values on `client` already: what changed is
    # measured against the row as stored (one query).
    client.refresh_from_db(fields=CLIENT_FIELDS)
    return _save_client(client, user=user, data=data, procedures=procedures, guardians=guardians)
