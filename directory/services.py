"""Writes on the directory: each validates everything first, then saves all or nothing."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict, Unpack
from uuid import uuid4

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.services import changed_fields, lock_for_edit, model_update

from .models import (
    PROVIDER_FIELDS,
    Acceptance,
    District,
    MedicalCareProcedure,
    OfficeDistrict,
    Provider,
    ProviderCategory,
    ProviderProcedure,
    ProviderSchedule,
)
from .schedules import ScheduleEntry, ordered_weekdays


@dataclass(frozen=True)
class AcceptanceEntry:
    """One row of the acceptance matrix as entered."""

    procedure: MedicalCareProcedure
    status: str = Acceptance.UNKNOWN
    note: str = ""


@dataclass
class _MatrixChanges:
    """The cells a save creates, updates and deletes to make the matrix say what was entered."""

    to_create: list[ProviderProcedure] = field(default_factory=list)
    to_update: list[ProviderProcedure] = field(default_factory=list)
    to_delete: list[ProviderProcedure] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.to_create or self.to_update or self.to_delete)


def _matrix_changes(provider: Provider, entries: Sequence[AcceptanceEntry]) -> _MatrixChanges:
    """What makes the provider's matrix say what the entries say (validated, one query); 未確認 without a note is no row."""
    existing = (
        {cell.procedure_id: cell for cell in ProviderProcedure.objects.filter(provider=provider)} if provider.pk else {}
    )
    changes, errors = _MatrixChanges(), []
    for entry in entries:
        note = entry.note.strip()
        cell = existing.get(entry.procedure.pk)
        if entry.status == Acceptance.UNKNOWN and not note:
            if cell is not None:
                changes.to_delete.append(cell)
            continue
        if cell is None:
            cell = ProviderProcedure(procedure=entry.procedure)
            changes.to_create.append(cell)
        elif (cell.status, cell.note) == (entry.status, note):
            continue
        else:
            changes.to_update.append(cell)
        cell.status, cell.note = entry.status, note
        try:
            # One row per procedure is guaranteed by building from `existing` (and by the
            # database constraint): skip the per-row uniqueness queries.
            cell.full_clean(exclude=["provider"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors.extend(f"{entry.procedure.name}：{message}" for message in error.messages)
    if errors:
        raise ValidationError({"acceptances": errors})
    return changes


def _save_acceptances(provider: Provider, changes: _MatrixChanges, *, user: AbstractBaseUser) -> None:
    """Saves the matrix's changes; every created, changed or deleted cell gets a history record by `user`."""
    for cell in changes.to_delete:
        cell._history_user = user  # read by simple-history's post_delete record
        cell.delete()
    for cell in changes.to_create:
        cell.provider = provider
    if changes.to_create:
        bulk_create_with_history(changes.to_create, ProviderProcedure, default_user=user)
    if changes.to_update:
        bulk_update_with_history(changes.to_update, ProviderProcedure, ["status", "note"], default_user=user)


def _schedule_rows(provider: Provider, entries: Sequence[ScheduleEntry] | None) -> list[ProviderSchedule] | None:
    """The rows that replace the provider's opening hours (validated), or None when they stay as saved."""
    if entries is None:
        return None
    rows, errors = [], []
    for position, entry in enumerate(entries, start=1):
        # Known days, once each, Monday first; anything else is kept as given for the validator to refuse.
        days = ordered_weekdays(entry.weekdays)
        row = ProviderSchedule(
            byday=",".join(days if len(days) == len(entry.weekdays) else entry.weekdays),
            opens_at=entry.opens_at,
            closes_at=entry.closes_at,
            position=position,
        )
        try:
            row.full_clean(exclude=["provider"], validate_unique=False)
        except ValidationError as error:
            errors.extend(f"{position}行目：{message}" for message in error.messages)
        rows.append(row)
    if errors:
        raise ValidationError({"schedules": errors})
    saved = list(ProviderSchedule.objects.filter(provider=provider).order_by("position")) if provider.pk else []
    if [(row.byday, row.opens_at, row.closes_at) for row in saved] == [
        (row.byday, row.opens_at, row.closes_at) for row in rows
    ]:
        return None
    return rows


def _save_schedules(provider: Provider, rows: list[ProviderSchedule] | None, *, user: AbstractBaseUser) -> None:
    """Replaces the provider's opening-hour rows; each deleted and created row gets a history record by `user`."""
    if rows is None:
        return
    for row in ProviderSchedule.objects.filter(provider=provider):
        row._history_user = user  # read by simple-history's post_delete record
        row.delete()
    for row in rows:
        row.provider = provider
    if rows:
        bulk_create_with_history(rows, ProviderSchedule, default_user=user)


class ProviderFields(TypedDict, total=False):
    """The provider's own fields that provider_create and provider_update set."""

    name: str
    category: ProviderCategory
    name_kana: str
    district: District | None
    postal_code: str
    municipality: str
    address: str
    phone: str
    fax: str
    email: str
    url: str
    opening_hours: str
    ages_from: int | None
    ages_to: int | None
    services: str
    has_coordinator: bool
    vacancy_note: str
    vacancy_noted_on: date | None
    public_note: str
    internal_note: str
    is_active: bool


_VERIFICATION_FIELDS = ("verified_on", "verified_by")


def _save_provider(
    provider: Provider,
    *,
    user: AbstractBaseUser,
    data: ProviderFields,
    acceptances: Sequence[AcceptanceEntry],
    schedules: Sequence[ScheduleEntry] | None,
    verified: bool,
    today: date | None,
) -> Provider:
    data = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
    district = data["district"] if "district" in data else provider.district
    municipality = data["municipality"] if "municipality" in data else provider.municipality
    if district is not None and not municipality:
        data["municipality"] = district.municipality
    fields = (*PROVIDER_FIELDS, "version")
    if verified:
        fields = (*fields, *_VERIFICATION_FIELDS)
        data.update(verified_on=today or timezone.localdate(), verified_by=user)
    matrix = _matrix_changes(provider, acceptances)
    hours = _schedule_rows(provider, schedules)
    # An edit that changes something, if only the matrix or the hours, is a new version; one that
    # changes nothing saves nothing (and adds no history record).
    if not provider._state.adding and (
        matrix or hours is not None or changed_fields(provider, fields=fields, data=data)
    ):
        data["version"] = provider.version + 1
    provider._history_user = user  # the history names the service's user, not only a request's
    model_update(instance=provider, fields=fields, data=data)
    _save_acceptances(provider, matrix, user=user)
    _save_schedules(provider, hours, user=user)
    return provider


@transaction.atomic
def provider_create(
    *,
    user: AbstractBaseUser,
    acceptances: Sequence[AcceptanceEntry] = (),
    schedules: Sequence[ScheduleEntry] | None = None,
    verified: bool = False,
    today: date | None = None,
    **data: Unpack[ProviderFields],
) -> Provider:
    """A new directory entry with its acceptance matrix and opening-hour rows; `verified` records today and the user."""
    return _save_provider(
        Provider(), user=user, data=data, acceptances=acceptances, schedules=schedules, verified=verified, today=today
    )


@transaction.atomic
def provider_update(
    *,
    provider: Provider,
    user: AbstractBaseUser,
    expected_version: int | None = None,
    acceptances: Sequence[AcceptanceEntry] = (),
    schedules: Sequence[ScheduleEntry] | None = None,
    verified: bool = False,
    today: date | None = None,
    **data: Unpack[ProviderFields],
) -> Provider:
    """The fields given (the others stay), the matrix rows given and, unless `schedules` is None, the
    opening-hour rows (all replaced); the last verification stays unless `verified`.

    An edit read at `expected_version` is refused (EditConflict) if the provider changed since; an
    import passes None. Returns the provider as saved, with its new version.
    """
    # The form or import row has usually set the new values on `provider` already: what changed is
    # measured against the row as stored, read once and locked.
    current = lock_for_edit(Provider, pk=provider.pk, expected_version=expected_version)
    return _save_provider(
        current, user=user, data=data, acceptances=acceptances, schedules=schedules, verified=verified, today=today
    )


def provider_verify(*, provider: Provider, user: AbstractBaseUser, today: date | None = None) -> Provider:
    """Record that the user checked the entry today ("今日確認した").

    No new version: an edit open meanwhile overwrites none of this (it keeps the verification
    unless it verifies too), so refusing it would only make someone type again for nothing.
    """
    provider.verified_on = today or timezone.localdate()
    provider.verified_by = user
    provider.full_clean(exclude=["category", "district"])
    provider._history_user = user
    provider.save(update_fields=["verified_on", "verified_by"])
    return provider


# --- an office's districts and their order in the report's §2 -----------------------------------------

DISTRICTS_CHANGED = (
    "ほかの人が先に地区の一覧を変更しました。あなたの操作は保存されていません。"
    "いまの一覧を確かめてから、もう一度操作してください。"
)
DISTRICT_ALREADY_LISTED = "この地区はすでに一覧にあります。"
DISTRICT_OTHER_MUNICIPALITY = "事業所の区市町村の地区だけを追加できます。"
DISTRICT_NAME_TAKEN = "「{name}」はすでに{municipality}の地区にあります。「登録済みの地区を追加」から選んでください。"
DISTRICT_NAME_REQUIRED = "新しい地区の名前を入力してください。"
DISTRICT_HAS_CLIENTS = (
    "「{name}」には相談対象者が{count}人登録されているため、一覧から外せません。"
    "外すと報告書の「2. 相談対象者の住所」でこの方々が「不明」に数えられます。"
    "先に相談対象者の地区を変えてください。"
)


def district_order_token(office) -> str:
    """The office's list as a page shows it (link ids in order): a form carries it back to be compared."""
    return ",".join(
        str(pk) for pk in OfficeDistrict.objects.filter(office=office).order_by("position").values_list("pk", flat=True)
    )


def _locked_links(office, expected_order: str | None) -> list[OfficeDistrict]:
    """The office's links in order, locked; DISTRICTS_CHANGED when not the list the form was read from."""
    links = list(
        OfficeDistrict.objects.select_for_update().filter(office=office).select_related("district").order_by("position")
    )
    if expected_order is not None and ",".join(str(link.pk) for link in links) != expected_order:
        raise ValidationError(DISTRICTS_CHANGED, code="changed")
    return links


@transaction.atomic
def office_district_add(
    *, office, user, expected_order: str | None, district: District | None = None, new_name: str = ""
) -> OfficeDistrict:
    """Append a district of the office's municipality to its list: a registered one, or a new one by name."""
    links = _locked_links(office, expected_order)
    if district is None:
        new_name = new_name.strip()
        if not new_name:
            raise ValidationError({"new_name": [DISTRICT_NAME_REQUIRED]})
        if District.objects.filter(municipality=office.municipality, name=new_name).exists():
            raise ValidationError(
                {"new_name": [DISTRICT_NAME_TAKEN.format(name=new_name, municipality=office.municipality)]}
            )
        district = District(code=f"district-{uuid4().hex[:12]}", name=new_name, municipality=office.municipality)
        district._history_user = user
        district.full_clean()
        district.save()
    elif district.municipality != office.municipality:
        raise ValidationError({"district": [DISTRICT_OTHER_MUNICIPALITY]})
    elif any(link.district_id == district.pk for link in links):
        raise ValidationError({"district": [DISTRICT_ALREADY_LISTED]})
    position = max((link.position for link in links), default=0) + 1
    link = OfficeDistrict(office=office, district=district, position=position)
    link._history_user = user
    link.save()
    return link


@transaction.atomic
def office_district_move(*, office, user, link_id: int, step: int, expected_order: str | None) -> bool:
    """Swap a district with the one above (step -1) or below (+1); False when it is already first or last."""
    links = _locked_links(office, expected_order)
    index = next((i for i, link in enumerate(links) if link.pk == link_id), None)
    if index is None:
        raise ValidationError(DISTRICTS_CHANGED, code="changed")
    other_index = index + step
    if not 0 <= other_index < len(links):
        return False
    link, other = links[index], links[other_index]
    mine, theirs = link.position, other.position
    # (office, position) is unique: the first row passes through a free position, unrecorded.
    link.position = max(item.position for item in links) + 1
    link.save_without_historical_record()
    for row, position in ((other, mine), (link, theirs)):
        row.position = position
        row._history_user = user
        row.save()
    return True


@transaction.atomic
def office_district_remove(*, office, user, link_id: int, expected_order: str | None) -> District:
    """Take a district off the office's list, refused while clients of the office live there.

    The report counts a client of an unlisted district of the municipality as 不明, so a listed
    district with clients stays (DISTRICT_HAS_CLIENTS); the district itself is kept for the directory.
    """
    links = _locked_links(office, expected_order)
    link = next((link for link in links if link.pk == link_id), None)
    if link is None:
        raise ValidationError(DISTRICTS_CHANGED, code="changed")
    # `clients` is coordination's reverse relation to District, read without importing coordination.
    count = link.district.clients.filter(office=office).count()
    if count:
        raise ValidationError(DISTRICT_HAS_CLIENTS.format(name=link.district.name, count=count), code="has_clients")
    link._history_user = user
    link.delete()
    return link.district
