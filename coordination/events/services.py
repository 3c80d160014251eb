"""Writes on events, and on the contact log an event is counted as."""

from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Office, User
from common.services import EditConflict, lock_for_edit
from coordination.events.models import Event
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, SupportKind
from coordination.logs.services import record_baseline, record_history


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
        event,
        user=user,
        count_as=count_as,
        role=role,
        scope=scope,
        name=name,
        held_on=held_on,
        started_at=started_at,
        ends_on=ends_on,
        method_venue=method_venue,
        topic=topic,
        audience=audience,
        participant_count=participant_count,
        participant_note=participant_note,
    )


@transaction.atomic
def event_update(
    *,
    event: Event,
    user: User,
    expected_version: int | None = None,
    expected_log_version: int | None = None,
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
    """Change an event and keep its contact log in step (created, updated or removed), all or nothing.

    An edit read at `expected_version` is refused (EditConflict) if the event changed since, or, with
    `expected_log_version`, if its contact log did (the form shows the log's method and type too).
    Returns the event as saved, with its new version.
    """
    current = lock_for_edit(Event, pk=event.pk, expected_version=expected_version)
    if current.contact_log_id is not None and expected_log_version is not None:
        log = ContactLog.objects.select_for_update().get(pk=current.contact_log_id)
        if log.version != expected_log_version:
            raise EditConflict(current)
    current.version += 1
    return _event_save(
        current,
        user=user,
        count_as=count_as,
        role=role,
        scope=scope,
        name=name,
        held_on=held_on,
        started_at=started_at,
        ends_on=ends_on,
        method_venue=method_venue,
        topic=topic,
        audience=audience,
        participant_count=participant_count,
        participant_note=participant_note,
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
        record_baseline(log)
        log.version += 1
    log.occurred_on = event.held_on
    log.started_at = event.started_at
    log.method = count_as.method
    # An event's log has no client unless one is added on the log page: 地域支援 unless chosen otherwise.
    log.support_kind = log.support_kind or SupportKind.default_for(log.client_id)
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
    record_history(log, history_type, user=user, when=timezone.now())
    return log


def _log_has_own_content(log: ContactLog) -> bool:
    """Whether someone added to the log what the event did not put there."""
    return bool(
        log.client_id
        or log.report_summary
        or log.confidential_notes
        or log.follow_ups.exists()
        or log.counterparts.exists()
    )
