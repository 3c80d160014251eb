"""Writes on the needs register: a need created, edited, found again in a log, moved with a dated note.

Every write keeps one history record (NEED_HISTORY) and carries who made it. A name of one of the
office's clients typed into a need is not refused but warned about: the services return the names
found (`NeedResult.names_found`) for the view to show.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Office, User
from common.services import EditConflict, lock_for_edit
from coordination.clients.age_bands import AgeBand
from coordination.events.models import Event, EventKind
from coordination.history_records import history_paused
from coordination.logs.models import ContactLog
from coordination.needs.models import NEED_HISTORY, Need, NeedCategory, NeedNote, NeedStatus
from coordination.needs.selectors import client_names_in
from directory.models import District
from tabular.dates import refuse_future
from tabular.wareki import format_date

NEED_CONFLICT = (
    "ほかの人がこのニーズ・課題を先に更新しました。あなたの操作はまだ保存されていません。"
    "ニーズ・課題の画面で今の内容を確かめてから、もう一度操作してください。"
)


class NeedConflict(EditConflict):
    """The need changed since the user read it; `current` is what is saved now."""

    message = NEED_CONFLICT


@dataclass(frozen=True)
class NeedResult:
    need: Need
    # Names of the office's clients found in what was typed: a warning, the need is saved.
    names_found: list[str]


def name_warning(names: Sequence[str]) -> str:
    """The warning shown when a need's text contains clients' names."""
    listed = "、".join(f"「{name}」" for name in names)
    return (
        f"入力した内容に相談対象者の氏名（{listed}）が含まれています。"
        "ニーズ・課題は協議会への報告に使うため、個人が分からない書き方に直してください。"
    )


def _clean_life_stages(values: Sequence[str]) -> list[str]:
    if any(value not in AgeBand.values for value in values):
        raise ValidationError({"life_stages": "ライフステージは一覧から選んでください。"})
    return [value for value in AgeBand.values if value in set(values)]


def _check_log(log: ContactLog, *, office: Office) -> None:
    if log.office_id != office.pk:
        raise ValidationError({"log": "この事業所の記録から選んでください。"})


def _check_event(event: Event | None, *, office: Office) -> None:
    if event is None:
        return
    if event.office_id != office.pk or event.kind != EventKind.MEETING:
        raise ValidationError({"raised_at": "提起した会議は、この事業所の「会議」から選んでください。"})


def _save(need: Need, *, user: User, history_type: str, districts=None, logs=None, reason: str = "") -> None:
    """One history record per save, written once the districts and logs are in place."""
    with history_paused(need):
        need.save()
        if districts is not None:
            need.districts.set(districts)
        if logs is not None:
            need.logs.set(logs)
    need._history_user = user
    if reason:
        need._change_reason = reason
    NEED_HISTORY.create_historical_record(need, history_type)


def _fill(need: Need, *, title: str, description: str, category: NeedCategory | None, life_stages) -> None:
    need.title = title.strip()
    need.description = description.strip()
    need.category = category
    need.life_stages = _clean_life_stages(life_stages)


def _validate(need: Need) -> None:
    errors: dict = {}
    exclude = []
    if need.category_id is None:
        exclude.append("category")
        errors["category"] = ["分類を選んでください。"]
    try:
        need.full_clean(exclude=exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if not need.title:
        errors["title"] = ["件名を入力してください。"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def need_create(
    *,
    office: Office,
    created_by: User,
    title: str,
    category: NeedCategory | None,
    description: str = "",
    life_stages: Sequence[str] = (),
    districts: Sequence[District] = (),
    logs: Sequence[ContactLog] = (),
    on: date | None = None,
) -> NeedResult:
    """A new need in 把握, with the logs it was found in (of the office) and its first note."""
    on = on or timezone.localdate()
    for log in logs:
        _check_log(log, office=office)
    need = Need(office=office, created_by=created_by, status=NeedStatus.FOUND, status_changed_on=on)
    _fill(need, title=title, description=description, category=category, life_stages=life_stages)
    _validate(need)
    _save(need, user=created_by, history_type="+", districts=districts, logs=logs)
    NeedNote.objects.create(need=need, on=on, status=NeedStatus.FOUND, text="", author=created_by)
    return NeedResult(need, client_names_in(office, need.title, need.description))


@transaction.atomic
def need_update(
    *,
    need: Need,
    expected_version: int,
    user: User,
    title: str,
    category: NeedCategory | None,
    description: str = "",
    life_stages: Sequence[str] = (),
    districts: Sequence[District] = (),
) -> NeedResult:
    """Saves an edit read at `expected_version` (NeedConflict if it changed since)."""
    current = lock_for_edit(Need, pk=need.pk, expected_version=expected_version, conflict=NeedConflict)
    _fill(current, title=title, description=description, category=category, life_stages=life_stages)
    _validate(current)
    current.version += 1
    _save(current, user=user, history_type="~", districts=districts)
    return NeedResult(current, client_names_in(current.office, current.title, current.description))


@transaction.atomic
def need_add_log(*, need: Need, log: ContactLog, user: User, expected_version: int | None = None) -> Need:
    """The need was found again in `log` (of the same office): its client counts among the families."""
    current = lock_for_edit(Need, pk=need.pk, expected_version=expected_version, conflict=NeedConflict)
    _check_log(log, office=current.office)
    if current.logs.filter(pk=log.pk).exists():
        raise ValidationError({"log": "この記録は、すでにこのニーズ・課題に紐づいています。"})
    current.version += 1
    with history_paused(current):
        current.save()
        current.logs.add(log)
    current._history_user = user
    current._change_reason = f"記録（{format_date(log.occurred_on)}）を追加"
    NEED_HISTORY.create_historical_record(current, "~")
    return current


@transaction.atomic
def need_move(
    *,
    need: Need,
    expected_version: int,
    user: User,
    status: str,
    on: date,
    text: str = "",
    raised_at: Event | None = None,
) -> NeedResult:
    """Sets the need's status on `on` with a dated note; 会議体へ提起 may name the meeting (an event of the office).

    A note with the same status is allowed: a dated note of progress. Nothing changes when anything is refused.
    """
    current = lock_for_edit(Need, pk=need.pk, expected_version=expected_version, conflict=NeedConflict)
    errors: dict[str, list[str]] = {}
    if status not in NeedStatus.values:
        errors["status"] = ["状態は一覧から選んでください。"]
    try:
        refuse_future(on, timezone.localdate())
    except ValidationError as error:
        errors.setdefault("on", []).extend(error.messages)
    last_day = current.notes.order_by("-on").values_list("on", flat=True).first()
    if last_day and on < last_day:
        errors.setdefault("on", []).append(f"日付は前の経過（{format_date(last_day)}）以降の日にしてください。")
    if raised_at is not None and status != NeedStatus.RAISED:
        errors.setdefault("raised_at", []).append("提起した会議は「会議体へ提起」のときに選んでください。")
    try:
        _check_event(raised_at, office=current.office)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    text = text.strip()
    if status == current.status and not text:
        errors.setdefault("text", []).append("状態を変えないときは、経過の内容を入力してください。")
    if errors:
        raise ValidationError(errors)
    NeedNote.objects.create(need=current, on=on, status=status, text=text, author=user)
    label = NeedStatus(status).label
    current.status = status
    current.status_changed_on = on
    if raised_at is not None:
        current.raised_at = raised_at
    current.version += 1
    current.full_clean()
    current._history_user = user
    current._change_reason = f"{label}（{format_date(on)}）{text}".strip()[:100]
    current.save()
    return NeedResult(current, client_names_in(current.office, text))
