"""Writes on follow-ups: created, closed with an outcome, reopened, reassigned, moved."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Office, User
from common.services import EditConflict, lock_for_edit
from coordination.clients.models import Client
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog
from coordination.referrals.models import Referral


class FollowUpConflict(EditConflict):
    """The follow-up changed since it was read; `current` is what is saved now."""

    message = (
        "ほかの人がこの次の対応を先に更新しました。あなたの操作はまだ保存されていません。"
        "いまの内容を確かめてから、もう一度操作してください。"
    )


def _check_assignee(assignee: User, office: Office) -> None:
    if assignee.office_id != office.pk or not assignee.is_active:
        raise ValidationError({"assignee": "担当は同じ事業所の職員から選んでください。"})


def _check_due_on(due_on: date | None, contact_log: ContactLog | None) -> None:
    if due_on is not None and contact_log is not None and due_on < contact_log.occurred_on:
        raise ValidationError({"due_on": "対応期限は記録の日付より後の日にしてください。"})


def _check_done_on(done_on: date) -> None:
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "完了日に未来の日付は入れられません。今日か、それより前の日にしてください。"})


def _save(follow_up: FollowUp, user: User) -> FollowUp:
    follow_up.full_clean()
    follow_up._history_user = user
    follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_create(
    *,
    office: Office,
    created_by: User,
    action: str,
    due_on: date | None = None,
    assignee: User | None = None,
    client: Client | None = None,
    contact_log: ContactLog | None = None,
    referral: Referral | None = None,
    done_on: date | None = None,
) -> FollowUp:
    """A new open follow-up for the assignee (the creator by default), linked to what it came from.

    The client is taken from the log or the referral when not given. `done_on` is for imports of
    follow-ups already done.
    """
    assignee = assignee or created_by
    _check_assignee(assignee, office)
    if client is None:
        client = (contact_log.client if contact_log else None) or (referral.client if referral else None)
    for linked in (client, contact_log, referral):
        if linked is not None and linked.office_id != office.pk:
            raise ValidationError("ほかの事業所の記録には次の対応を付けられません。")
    _check_due_on(due_on, contact_log)
    if done_on is not None:
        _check_done_on(done_on)
    follow_up = FollowUp(
        office=office,
        created_by=created_by,
        action=action.strip(),
        due_on=due_on,
        assignee=assignee,
        client=client,
        contact_log=contact_log,
        referral=referral,
        done_on=done_on,
    )
    return _save(follow_up, created_by)


@transaction.atomic
def follow_up_update(
    *, follow_up: FollowUp, expected_version: int, user: User, action: str, due_on: date | None, assignee: User
) -> FollowUp:
    """What to do, by when and by whom: reassigned to a colleague of the office or moved to another date."""
    current = lock_for_edit(FollowUp, pk=follow_up.pk, expected_version=expected_version, conflict=FollowUpConflict)
    _check_assignee(assignee, current.office)
    _check_due_on(due_on, current.contact_log)
    current.action = action.strip()
    current.due_on = due_on
    current.assignee = assignee
    current.version = expected_version + 1
    return _save(current, user)


@transaction.atomic
def follow_up_done(
    *, follow_up: FollowUp, expected_version: int, user: User, done_on: date, outcome: str = ""
) -> FollowUp:
    """Closes an open follow-up on the day it was done, with what came of it."""
    current = lock_for_edit(FollowUp, pk=follow_up.pk, expected_version=expected_version, conflict=FollowUpConflict)
    if current.is_done:
        raise ValidationError(f"この次の対応は{current.done_on:%Y年%-m月%-d日}に完了済みです。")
    _check_done_on(done_on)
    if current.contact_log_id and done_on < current.contact_log.occurred_on:
        raise ValidationError({"done_on": "完了日はきっかけの記録の日付より後の日にしてください。"})
    current.done_on = done_on
    current.outcome = outcome.strip()
    current.version = expected_version + 1
    return _save(current, user)


@transaction.atomic
def follow_up_reopen(*, follow_up: FollowUp, expected_version: int, user: User) -> FollowUp:
    """Opens a closed follow-up again (its date and outcome stay in its history)."""
    current = lock_for_edit(FollowUp, pk=follow_up.pk, expected_version=expected_version, conflict=FollowUpConflict)
    if not current.is_done:
        raise ValidationError("この次の対応はまだ完了していません。")
    current.done_on = None
    current.outcome = ""
    current.version = expected_version + 1
    return _save(current, user)


def log_follow_up(log: ContactLog) -> FollowUp | None:
    """The follow-up the log form writes: the log's first one."""
    return log.follow_ups.order_by("pk").first()


@transaction.atomic
def log_follow_up_save(
    *, log: ContactLog, user: User, action: str, due_on: date | None, expected_version: int | None = None
) -> FollowUp | None:
    """The log form's 次の対応 and 対応期限: creates the log's follow-up, changes it, or removes it when emptied.

    Called in the log's own transaction, so the log and its follow-up are saved together or not at all.
    `expected_version` is the follow-up's version the form was read at (None on a new log).
    """
    action = action.strip()
    current = log_follow_up(log)
    if current is None:
        if not action:
            return None
        return follow_up_create(
            office=log.office, created_by=user, action=action, due_on=due_on, contact_log=log, client=log.client
        )
    if current.action == action and current.due_on == due_on and current.client_id == log.client_id:
        return current
    if not action and current.is_done:
        raise ValidationError(
            {"action": "対応済みの次の対応は消せません。消す場合は、次の対応の画面で再開してからにしてください。"}
        )
    version = current.version if expected_version is None else expected_version
    current = lock_for_edit(FollowUp, pk=current.pk, expected_version=version, conflict=FollowUpConflict)
    if not action:
        current._history_user = user
        current.delete()
        return None
    _check_due_on(due_on, log)
    # The follow-up is about whom the log is about, also when the log's client is corrected.
    current.action, current.due_on, current.client = action, due_on, log.client
    current.version = version + 1
    return _save(current, user)
