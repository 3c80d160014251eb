"""Writes on the directory: each validates everything first, then saves all or nothing."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import Acceptance, District, MedicalCareProcedure, Provider, ProviderCategory, ProviderProcedure


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


def _save_provider(
    provider: Provider,
    *,
    user: AbstractBaseUser,
    acceptances: Sequence[AcceptanceEntry],
    verified: bool,
    today: date | None,
) -> Provider:
    if verified:
        provider.verified_on = today or timezone.localdate()
        provider.verified_by = user
    provider.full_clean()
    provider._history_user = user  # the history names the service's user, not only a request's
    provider.save()
    _save_acceptances(provider, acceptances, user=user)
    return provider


def _set_provider_fields(provider: Provider, **fields) -> None:
    for name, value in fields.items():
        setattr(provider, name, value.strip() if isinstance(value, str) else value)
    if provider.district_id and not provider.municipality:
        provider.municipality = provider.district.municipality


@transaction.atomic
def provider_create(
    *,
    user: AbstractBaseUser,
    name: str,
    category: ProviderCategory,
    name_kana: str = "",
    district: District | None = None,
    municipality: str = "",
    address: str = "",
    phone: str = "",
    fax: str = "",
    email: str = "",
    url: str = "",
    opening_hours: str = "",
    ages_from: int | None = None,
    ages_to: int | None = None,
    services: str = "",
    has_coordinator: bool = False,
    vacancy_note: str = "",
    vacancy_noted_on: date | None = None,
    public_note: str = "",
    internal_note: str = "",
    is_active: bool = True,
    acceptances: Sequence[AcceptanceEntry] = (),
    verified: bool = False,
    today: date | None = None,
) -> Provider:
    """A new directory entry with its acceptance matrix; `verified` records today and the user."""
    provider = Provider()
    _set_provider_fields(
        provider, name=name, category=category, name_kana=name_kana, district=district,
        municipality=municipality, address=address, phone=phone, fax=fax, email=email, url=url,
        opening_hours=opening_hours, ages_from=ages_from, ages_to=ages_to, services=services,
        has_coordinator=has_coordinator, vacancy_note=vacancy_note, vacancy_noted_on=vacancy_noted_on,
        public_note=public_note, internal_note=internal_note, is_active=is_active,
    )
    return _save_provider(provider, user=user, acceptances=acceptances, verified=verified, today=today)


@transaction.atomic
def provider_update(
    *,
    provider: Provider,
    user: AbstractBaseUser,
    name: str,
    category: ProviderCategory,
    name_kana: str = "",
    district: District | None = None,
    municipality: str = "",
    address: str = "",
    phone: str = "",
    fax: str = "",
    email: str = "",
    url: str = "",
    opening_hours: str = "",
    ages_from: int | None = None,
    ages_to: int | None = None,
    services: str = "",
    has_coordinator: bool = False,
    vacancy_note: str = "",
    vacancy_noted_on: date | None = None,
    public_note: str = "",
    internal_note: str = "",
    is_active: bool = True,
    acceptances: Sequence[AcceptanceEntry] = (),
    verified: bool = False,
    today: date | None = None,
) -> Provider:
    """Every field and the matrix of an entry; the last verification stays unless `verified`."""
    _set_provider_fields(
        provider, name=name, category=category, name_kana=name_kana, district=district,
        municipality=municipality, address=address, phone=phone, fax=fax, email=email, url=url,
        opening_hours=opening_hours, ages_from=ages_from, ages_to=ages_to, services=services,
        has_coordinator=has_coordinator, vacancy_note=vacancy_note, vacancy_noted_on=vacancy_noted_on,
        public_note=public_note, internal_note=internal_note, is_active=is_active,
    )
    return _save_provider(provider, user=user, acceptances=acceptances, verified=verified, today=today)


def provider_verify(*, provider: Provider, user: AbstractBaseUser, today: date | None = None) -> Provider:
    """Record that the user checked the entry today ("今日確認した")."""
    provider.verified_on = today or timezone.localdate()
    provider.verified_by = user
    provider.full_clean(exclude=["category", "district"])
    provider._history_user = user
    provider.save(update_fields=["verified_on", "verified_by"])
    return provider
