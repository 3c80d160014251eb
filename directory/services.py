"""Writes on the directory: each validates everything first, then saves all or nothing."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict, Unpack

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
    Provider,
    ProviderCategory,
    ProviderProcedure,
)


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


class ProviderFields(TypedDict, total=False):
    """The provider's own fields that provider_create and provider_update set."""

    name: str
    category: ProviderCategory
    name_kana: str
    district: District | None
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
    # An edit that changes something, if only the matrix, is a new version; one that changes
    # nothing saves nothing (and adds no history record).
    if not provider._state.adding and (matrix or changed_fields(provider, fields=fields, data=data)):
        data["version"] = provider.version + 1
    provider._history_user = user  # the history names the service's user, not only a request's
    model_update(instance=provider, fields=fields, data=data)
    _save_acceptances(provider, matrix, user=user)
    return provider


@transaction.atomic
def provider_create(
    *,
    user: AbstractBaseUser,
    acceptances: Sequence[AcceptanceEntry] = (),
    verified: bool = False,
    today: date | None = None,
    **data: Unpack[ProviderFields],
) -> Provider:
    """A new directory entry with its acceptance matrix; `verified` records today and the user."""
    return _save_provider(Provider(), user=user, data=data, acceptances=acceptances, verified=verified, today=today)


@transaction.atomic
def provider_update(
    *,
    provider: Provider,
    user: AbstractBaseUser,
    expected_version: int | None = None,
    acceptances: Sequence[AcceptanceEntry] = (),
    verified: bool = False,
    today: date | None = None,
    **data: Unpack[ProviderFields],
) -> Provider:
    """The fields given (the others stay) and the matrix rows given; the last verification stays unless `verified`.

    An edit read at `expected_version` is refused (EditConflict) if the provider changed since; an
    import passes None. Returns the provider as saved, with its new version.
    """
    # The form or import row has usually set the new values on `provider` already: what changed is
    # measured against the row as stored, read once and locked.
    current = lock_for_edit(Provider, pk=provider.pk, expected_version=expected_version)
    return _save_provider(current, user=user, data=data, acceptances=acceptances, verified=verified, today=today)


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
