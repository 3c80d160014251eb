"""Writes on contact logs: validated first, saved with their parts and one history record, optimistically locked."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Office, User
from common.services import EditConflict, lock_for_edit
from coordination.clients.models import Client
from coordination.history_records import history_paused
from coordination.logs.models import (
    CONTACT_LOG_HISTORY,
    ActivityType,
    ContactLog,
    ContactMethod,
    Counterpart,
    SupportKind,
)
from directory.models import CounterpartCategory, Provider
from tabular.dates import refuse_future

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


class ContactLogConflict(EditConflict):
    """The log changed since the editor read it; `current` is what is saved now."""

    message = LOG_CONFLICT


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
    with history_paused(log):
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
            contact_log=log,
            category=entry.category,
            provider=entry.provider,
            organization_name=entry.organization_name.strip(),
        )
        counterpart._history_user, counterpart._history_date = user, when
        counterpart.save()


def record_history(log: ContactLog, history_type: str, *, user: User | None, when: datetime) -> None:
    """One history record for a whole save: the row with its activity types as they now are."""
    log._history_user, log._history_date = user, when
    CONTACT_LOG_HISTORY.create_historical_record(log, history_type)


def record_baseline(log: ContactLog) -> None:
    """Logs saved in bulk (the demo, imports) have no history yet: keep what they said before a first edit."""
    if log.history.exists():
        return
    record_history(log, "+", user=None, when=log.created_at)
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
    support_kind: str = "",
) -> ContactLog:
    """A new log with its counterparts and activity types, all saved or none.

    Without a `support_kind` the log is 個別支援 if it has a client and 地域支援 if not.
    """
    log = ContactLog(
        office=office,
        coordinator=coordinator,
        occurred_on=occurred_on,
        started_at=started_at,
        duration_minutes=duration_minutes,
        client=client,
        support_kind=support_kind or SupportKind.default_for(client),
        method=method,
        report_summary=report_summary.strip(),
        include_in_report=include_in_report,
        confidential_notes=confidential_notes.strip(),
    )
    _validate_log(log, activity_types=activity_types, counterparts=counterparts, today=timezone.localdate())
    when = timezone.now()
    _save_parts(log, activity_types=activity_types, counterparts=counterparts, user=coordinator, when=when)
    record_history(log, "+", user=coordinator, when=when)
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
    support_kind: str = "",
) -> ContactLog:
    """Saves an edit read at `expected_version`; refuses it (ContactLogConflict) if the log changed since.

    Without a `support_kind` the log gets the default for its client, as a new log does.
    """
    current = lock_for_edit(ContactLog, pk=log.pk, expected_version=expected_version, conflict=ContactLogConflict)
    record_baseline(current)
    current.occurred_on = occurred_on
    current.started_at = started_at
    current.duration_minutes = duration_minutes
    current.client = client
    current.support_kind = support_kind or SupportKind.default_for(client)
    current.method = method
    current.report_summary = report_summary.strip()
    current.include_in_report = include_in_report
    current.confidential_notes = confidential_notes.strip()
    current.version = expected_version + 1
    _validate_log(current, activity_types=activity_types, counterparts=counterparts, today=timezone.localdate())
    when = timezone.now()
    _save_parts(current, activity_types=activity_types, counterparts=counterparts, user=user, when=when)
    record_history(current, "~", user=user, when=when)
    return current
