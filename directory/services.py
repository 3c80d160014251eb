"""Writes on the directory: each validates everything first, then saves all or nothing."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict, Unpack

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.services import model_update

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


def _save_acceptances(provider: Provider, entries: Sequence[AcceptanceEntry], *, user: AbstractBaseUser) -> None:
    """Make the provider's matrix say what the entries say; 未確認 without a note is no row at all.

    Every created, changed or deleted cell gets a history record by `user`.
    """
    existing = {cell.procedure_id: cell for cell in ProviderProcedure.objects.filter(provider=provider)}
    to_create, to_update, to_delete, errors = [], [], [], []
    for entry in entries:
        note = entry.note.strip()
        cell = existing.get(entry.procedure.pk)
        if entry.status == Acceptance.UNKNOWN and not note:
            if cell is not None:
                to_delete.append(cell)
            continue
        if cell is None:
            cell = ProviderProcedure(provider=provider, procedure=entry.procedure)
            to_create.append(cell)
        elif (cell.status, cell.note) == (entry.status, note):
            continue
        else:
            to_update.append(cell)
        cell.status, cell.note = entry.status, note
        try:
            # One row per procedure is guaranteed by building from `existing` (and by the
            # database constraint): skip the per-row uniqueness queries.
            cell.full_clean(exclude=["provider"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors.extend(f"{entry.procedure.name}：{message}" for message in error.messages)
    if errors:
        raise ValidationError({"acceptances": errors})
    for cell in to_delete:
        cell._history_user = user  # read by simple-history's post_delete record
        cell.delete()
    if to_create:
        bulk_create_with_history(to_create, ProviderProcedure, default_user=user)
    if to_update:
        bulk_update_with_history(to_update, ProviderProcedure, ["status", "note"], default_user=user)


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
    fields = PROVIDER_FIELDS
    if verified:
        fields = (*PROVIDER_FIELDS, *_VERIFICATION_FIELDS)
        data.update(verified_on=today or timezone.localdate(), verified_by=user)
    provider._history_user = user  # the history names the service's user, not only a request's
    model_update(instance=provider, fields=fields, data=data)
    _save_acceptances(provider, acceptances, user=user)
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
    acceptances: Sequence[AcceptanceEntry] = (),
    verified: bool = False,
    today: date | None = None,
    **data: Unpack[ProviderFields],
) -> Provider:
    """The fields given (the others stay) and the matrix rows given; the last verification stays unless `verified`."""
    # The form or import row has usually set the new values on `provider` already: what changed is
    # measured against the row as stored (one query).
    provider.refresh_from_db(fields=(*PROVIDER_FIELDS, *_VERIFICATION_FIELDS))
    return _save_provider(provider, user=user, data=data, acceptances=acceptances, verified=verified, today=today)


def provider_verify(*, provider: Provider, user: AbstractBaseUser, today: date | None = None) -> Provider:
    """Record that the user checked the entry today ("今日確認した")."""
    provider.verified_on = today or timezone.localdate()
    provider.verified_by = user
    provider.full_clean(exclude=["category", "district"])
    provider._history_user = user
    provider.save(update_fields=["verified_on", "verified_by"])
    return provider
