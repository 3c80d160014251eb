"""Writes on clients and their guardians: everything is validated first, then saved all or nothing."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Office, User
from common.kana import fold_for_storage
from common.services import lock_for_edit, model_update
from coordination.clients.models import CLIENT_FIELDS, CLIENT_HISTORY, CONSENT_HISTORY, Client, Consent, Guardian
from coordination.history_records import history_paused
from directory.models import District, MedicalCareProcedure, ProviderCategory
from tabular.dates import refuse_future
from tabular.wareki import format_date


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


def _validate_client(
    client: Client,
    *,
    procedures: Sequence[MedicalCareProcedure],
    today: date,
    office_district_ids: Collection[int] | None = None,
) -> None:
    """The office's rules of a client beyond the model's; raises one ValidationError listing all that fail.

    `office_district_ids`, when the caller has them, saves the query for the office's districts.
    """
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
    if client.district_id:
        if office_district_ids is None:
            in_office = client.office.district_links.filter(district_id=client.district_id).exists()
        else:
            in_office = client.district_id in office_district_ids
        if not in_office:
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


# The history record's change reason: saved although the duplicate check listed candidates.
NOT_A_DUPLICATE = "重複ではないことを確認しました"
_REASON_LENGTH = 100  # simple-history's history_change_reason column


def not_a_duplicate_reason(candidates: Sequence[Client]) -> str:
    """`重複ではないことを確認しました（候補の番号：12、15）`: the candidates shown, as many as fit."""
    numbers = [str(candidate.pk) for candidate in candidates]
    while numbers:
        shown = "、".join(numbers) + ("ほか" if len(numbers) < len(candidates) else "")
        reason = f"{NOT_A_DUPLICATE}（候補の番号：{shown}）"
        if len(reason) <= _REASON_LENGTH:
            return reason
        numbers.pop()
    return NOT_A_DUPLICATE


def _save_client(
    client: Client,
    *,
    user: User,
    data: ClientFields,
    procedures: Sequence[MedicalCareProcedure],
    guardians: Sequence[GuardianEntry],
    not_duplicate_of: Sequence[Client] = (),
) -> Client:
    """Saves the client's fields given in `data` (with `version` on an edit), procedures and guardians.

    `not_duplicate_of`: the likely duplicates the user was shown and confirmed to be other people;
    the history record of this save says so.
    """
    if user.office_id != client.office_id:
        raise PermissionDenied("ほかの事業所の相談対象者は保存できません。")
    data = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
    if "name_kana" in data:
        # フリガナ is kept folded (full-width katakana, single spaces) so search and sorting agree.
        data["name_kana"] = fold_for_storage(data["name_kana"])
    history_type = "+" if client._state.adding else "~"
    # Without history here: one record of this save, with the procedures, is written once they are set.
    with history_paused(client):
        model_update(
            instance=client,
            fields=(*CLIENT_FIELDS, "version"),
            data=data,
            validate=lambda c: _validate_client(c, procedures=procedures, today=timezone.localdate()),
        )
        client.procedures.set(procedures)
    client._history_user = user
    client._change_reason = not_a_duplicate_reason(not_duplicate_of) if not_duplicate_of else None
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
    not_duplicate_of: Sequence[Client] = (),
    **data: Unpack[ClientFields],
) -> Client:
    """A new client of the office with their procedures and guardians, all saved or none.

    `not_duplicate_of`: the likely duplicates (selectors.likely_duplicates) the user confirmed to
    be other people; recorded as the history record's change reason.
    """
    return _save_client(
        Client(office=office),
        user=user,
        data=data,
        procedures=procedures,
        guardians=guardians,
        not_duplicate_of=not_duplicate_of,
    )


@transaction.atomic
def client_update(
    *,
    client: Client,
    user: User,
    expected_version: int | None = None,
    procedures: Sequence[MedicalCareProcedure] = (),
    guardians: Sequence[GuardianEntry] = (),
    not_duplicate_of: Sequence[Client] = (),
    **data: Unpack[ClientFields],
) -> Client:
    """Saves the fields given (the others stay); the procedures and guardians become exactly those given.

    `not_duplicate_of` as for client_create.

    An edit read at `expected_version` is refused (EditConflict) if the client changed since; an
    import passes None. Returns the client as saved, with its new version.
    """
    # The form or import row has usually set the new values on `client` already: what changed is
    # measured against the row as stored, read once and locked.
    if user.office_id != client.office_id:
        raise PermissionDenied("ほかの事業所の相談対象者は保存できません。")
    current = lock_for_edit(Client, pk=client.pk, expected_version=expected_version)
    data = {**data, "version": current.version + 1}
    return _save_client(
        current, user=user, data=data, procedures=procedures, guardians=guardians, not_duplicate_of=not_duplicate_of
    )


# --- many new clients at once (a spreadsheet import) -------------------------------------------

# Foreign keys the caller resolved from the office's own lists (an import's lookups): checking
# that they exist would cost a query per client.
_RESOLVED_KEYS = ["office", "district", "assigned_coordinator", "consent_taken_by"]


@dataclass
class NewClient:
    """A new client checked by client_build and not saved yet, with its procedures."""

    client: Client
    procedures: Sequence[MedicalCareProcedure]


def client_build(
    *,
    office: Office,
    user: User,
    office_district_ids: Collection[int],
    procedures: Sequence[MedicalCareProcedure] = (),
    today: date | None = None,
    **data: Unpack[ClientFields],
) -> NewClient:
    """A new client of the office checked by every rule client_create applies, without a query; not saved.

    For imports of many rows: clients_create_many then saves them all at once. The model's check
    constraints are not run as queries: `Client.clean()` checks the same two rules in Python.
    """
    if user.office_id != office.pk:
        raise PermissionDenied("ほかの事業所の相談対象者は保存できません。")
    data = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
    if "name_kana" in data:
        data["name_kana"] = fold_for_storage(data["name_kana"])
    unknown = set(data) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"client_build() got unknown fields: {sorted(unknown)}")
    client = Client(office=office, **data)
    errors = {}
    try:
        client.full_clean(exclude=_RESOLVED_KEYS, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        _validate_client(
            client,
            procedures=procedures,
            today=today or timezone.localdate(),
            office_district_ids=office_district_ids,
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return NewClient(client=client, procedures=list(procedures))


@transaction.atomic
def clients_create_many(*, office: Office, user: User, new_clients: Sequence[NewClient]) -> list[Client]:
    """Saves clients built by client_build, with their procedures and one history record each.

    A few queries per thousand clients, whatever their number: one insert per batch for the
    clients, their procedures, their history records and the procedures of those records.
    """
    if user.office_id != office.pk or any(entry.client.office_id != office.pk for entry in new_clients):
        raise PermissionDenied("ほかの事業所の相談対象者は保存できません。")
    clients = Client.objects.bulk_create([entry.client for entry in new_clients], batch_size=BATCH_SIZE)
    through = Client.procedures.through
    links = through.objects.bulk_create(
        [
            through(client_id=client.pk, medicalcareprocedure_id=procedure.pk)
            for client, entry in zip(clients, new_clients)
            for procedure in entry.procedures
        ],
        batch_size=BATCH_SIZE,
    )
    records = Client.history.bulk_history_create(clients, default_user=user, batch_size=BATCH_SIZE)
    # The procedures as each record saw them, as simple-history keeps them for a single save.
    record_of = {record.id: record for record in records}
    procedures_history = CLIENT_HISTORY.m2m_models[Client._meta.get_field("procedures")]
    procedures_history.objects.bulk_create(
        [
            procedures_history(
                history=record_of[link.client_id],
                id=link.pk,
                client_id=link.client_id,
                medicalcareprocedure_id=link.medicalcareprocedure_id,
            )
            for link in links
        ],
        batch_size=BATCH_SIZE,
    )
    return clients


BATCH_SIZE = 1000


# --- 情報共有の同意 (consents) ------------------------------------------------------------------


@transaction.atomic
def consent_create(
    *,
    client: Client,
    recorded_by: User,
    given_on: date,
    expires_on: date | None = None,
    categories: Sequence[ProviderCategory],
    given_by: str,
    method: str,
    scope_note: str = "",
) -> Consent:
    """A consent the family gave: the kinds of organization the child's information may go to, from a day.

    Validated whole first (a day after today, no kind, a missing name: nothing saved); one history
    record with its kinds.
    """
    if recorded_by.office_id != client.office_id:
        raise PermissionDenied("ほかの事業所の相談対象者の同意は記録できません。")
    consent = Consent(
        client=client,
        recorded_by=recorded_by,
        given_on=given_on,
        expires_on=expires_on,
        given_by=given_by.strip(),
        method=method,
        scope_note=scope_note.strip(),
    )
    errors: dict = {}
    try:
        consent.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if given_on is not None:
        try:
            refuse_future(given_on, timezone.localdate())
        except ValidationError as error:
            errors.setdefault("given_on", []).extend(error.messages)
    if not categories:
        errors.setdefault("categories", []).append("情報を共有してよい機関の種別を1つ以上選んでください。")
    if errors:
        raise ValidationError(errors)
    with history_paused(consent):
        consent.save()
        consent.categories.set(categories)
    consent._history_user = recorded_by
    CONSENT_HISTORY.create_historical_record(consent, "+")
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, expected_version: int | None, user: User, withdrawn_on: date, note: str = ""):
    """Records that the family withdrew a consent from `withdrawn_on` (that day is no longer covered).

    Refused (EditConflict) if the consent changed since it was read, and with a message if it is
    already withdrawn or the day is before it was given or after today. Returns the open referrals
    it covered: from now on they show as 同意撤回 (Referral.consent_withdrawn) to be looked at.
    """
    if user.office_id != consent.client.office_id:
        raise PermissionDenied("ほかの事業所の相談対象者の同意は撤回できません。")
    current = lock_for_edit(Consent, pk=consent.pk, expected_version=expected_version)
    errors: dict = {}
    if current.withdrawn_on is not None:
        errors["withdrawn_on"] = [f"この同意は{format_date(current.withdrawn_on)}に撤回済みです。"]
    elif withdrawn_on is None:
        errors["withdrawn_on"] = ["撤回日を入力してください。"]
    else:
        try:
            refuse_future(withdrawn_on, timezone.localdate())
        except ValidationError as error:
            errors["withdrawn_on"] = error.messages
    if errors:
        raise ValidationError(errors)
    current.withdrawn_on = withdrawn_on
    current.withdrawal_note = note.strip()
    current.version += 1
    current.full_clean()
    current._history_user = user
    current.save(update_fields=["withdrawn_on", "withdrawal_note", "version", "updated_at"])
    return list(current.referrals.open().select_related("provider").order_by("id"))
