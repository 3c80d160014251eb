"""Writes on the directory: each validates everything first, then saves all or nothing."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypedDict, Unpack
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.services import changed_fields, lock_for_edit, model_update

from .links import ACCEPTANCE_PREFIX, PUBLIC_FIELDS, link_problem, new_token, proposed_changes
from .models import (
    PROVIDER_FIELDS,
    Acceptance,
    District,
    MedicalCareProcedure,
    OfficeDistrict,
    ProposalStatus,
    Provider,
    ProviderCategory,
    ProviderLink,
    ProviderProcedure,
    ProviderProposal,
    ProviderSchedule,
    VerifiedVia,
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


_VERIFICATION_FIELDS = ("verified_on", "verified_by", "verified_via")


def _save_provider(
    provider: Provider,
    *,
    user: AbstractBaseUser,
    data: ProviderFields,
    acceptances: Sequence[AcceptanceEntry],
    schedules: Sequence[ScheduleEntry] | None,
    verified: bool,
    today: date | None,
    provider_confirmed_on: date | None = None,
) -> Provider:
    data = {name: value.strip() if isinstance(value, str) else value for name, value in data.items()}
    district = data["district"] if "district" in data else provider.district
    municipality = data["municipality"] if "municipality" in data else provider.municipality
    if district is not None and not municipality:
        data["municipality"] = district.municipality
    fields = (*PROVIDER_FIELDS, "version")
    if verified:
        fields = (*fields, *_VERIFICATION_FIELDS)
        data.update(verified_on=today or timezone.localdate(), verified_by=user, verified_via=VerifiedVia.STAFF)
    elif provider_confirmed_on is not None:
        # The provider confirmed the entry through its link that day (事業所が確認).
        fields = (*fields, *_VERIFICATION_FIELDS)
        data.update(verified_on=provider_confirmed_on, verified_by=None, verified_via=VerifiedVia.PROVIDER)
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
    provider.verified_via = VerifiedVia.STAFF
    provider.full_clean(exclude=["category", "district"])
    provider._history_user = user
    provider.save(update_fields=["verified_on", "verified_by", "verified_via"])
    return provider


# --- the provider's one-time link (directory/links.py) ------------------------------------------------

NO_EMAIL = "この機関・事業所にはメールアドレスが登録されていないため、確認依頼を送れません。先にメールアドレスを登録してください。"
LINK_UNUSABLE = "このリンクは使えません。有効期限が切れたか、すでに使われたか、新しいリンクが送られています。"
PROPOSAL_DECIDED = "この提案はすでにほかの人が判断しました。"
DECISION_MISSING = "すべての項目で「反映する」か「反映しない」を選んでください。"
ACCEPTED, REJECTED = "accepted", "rejected"


@dataclass(frozen=True)
class SentLinks:
    """What 「確認依頼を一括送信」 did: links sent, entries without an e-mail address, entries left as they are."""

    sent: list[Provider]
    no_email: list[Provider]
    waiting: list[Provider]


def _link_mail(*, link: ProviderLink, url: str, user: AbstractBaseUser) -> tuple[str, str]:
    office = getattr(user, "office", None)
    context = {
        "provider": link.provider,
        "url": url,
        "expires_at": timezone.localtime(link.expires_at),
        "office_name": office.name if office is not None else "つなぐ（医療的ケア児等コーディネーター事業）",
    }
    subject = f"【確認のお願い】{link.provider.name} の掲載情報"
    return subject, render_to_string("directory/email/provider_link.txt", context)


@transaction.atomic
def provider_link_send(
    *, provider: Provider, user: AbstractBaseUser, absolute_url: Callable[[str], str], now: datetime | None = None
) -> ProviderLink:
    """A new one-time link for the provider, e-mailed to its address; its earlier unused links stop working.

    `absolute_url` turns the link's path into the address the e-mail gives (the request's host).
    Nothing is saved when the e-mail cannot be sent (the error propagates).
    """
    if not provider.email:
        raise ValidationError(NO_EMAIL, code="no_email")
    now = now or timezone.now()
    ProviderLink.objects.filter(provider=provider, used_at__isnull=True, ended_at__isnull=True).update(ended_at=now)
    token, digest = new_token()
    link = ProviderLink.objects.create(
        provider=provider,
        token_hash=digest,
        sent_to=provider.email,
        created_by=user,
        created_at=now,
        expires_at=now + timedelta(days=settings.TSUNAGU_PROVIDER_LINK_DAYS),
    )
    url = absolute_url(reverse("directory:provider_link_open", kwargs={"token": token}))
    subject, body = _link_mail(link=link, url=url, user=user)
    send_mail(subject, body, None, [provider.email])
    return link


def provider_links_send_stale(
    *, providers: Sequence[Provider], user: AbstractBaseUser, absolute_url: Callable[[str], str]
) -> SentLinks:
    """「確認依頼を一括送信」: a link to every entry given (the re-verify list) that has an e-mail address,
    except those with a link still usable or a proposal waiting (listed as waiting). One transaction each."""
    now = timezone.now()
    ids = [provider.pk for provider in providers]
    busy = set(
        ProviderLink.objects.usable(now).filter(provider_id__in=ids).values_list("provider_id", flat=True)
    ) | set(
        ProviderProposal.objects.filter(provider_id__in=ids, status=ProposalStatus.PENDING).values_list(
            "provider_id", flat=True
        )
    )
    result = SentLinks([], [], [])
    for provider in providers:
        if provider.pk in busy:
            result.waiting.append(provider)
        elif not provider.email:
            result.no_email.append(provider)
        else:
            provider_link_send(provider=provider, user=user, absolute_url=absolute_url, now=now)
            result.sent.append(provider)
    return result


def provider_link_open(*, link: ProviderLink, now: datetime | None = None) -> None:
    """Notes when the provider first opened its link (shown to the office with the link)."""
    if link.opened_at is None:
        ProviderLink.objects.filter(pk=link.pk, opened_at__isnull=True).update(opened_at=now or timezone.now())


@transaction.atomic
def provider_link_confirm(
    *, link_id: int, base: dict, base_version: int, proposed: dict, now: datetime | None = None
) -> ProviderProposal | None:
    """The provider confirms its entry through its link, which is then used up.

    Nothing changed from what it saw (`base`): 事業所が確認 is recorded at once, with today's date,
    and the entry leaves the re-verify list. Anything changed: a proposal (returned) waits for the
    office's staff, who accept or reject each change (provider_proposal_decide); the entry stays
    stale until then. A link used, expired or ended meanwhile refuses (ValidationError) and changes nothing.
    """
    now = now or timezone.now()
    link = ProviderLink.objects.select_for_update().get(pk=link_id)
    if link_problem(link, now) is not None:
        raise ValidationError(LINK_UNUSABLE, code="unusable")
    link.used_at = now
    link.save(update_fields=["used_at"])
    changes = proposed_changes(base, proposed)
    if not changes:
        provider = Provider.objects.select_for_update().get(pk=link.provider_id)
        provider.verified_on = timezone.localdate(now)
        provider.verified_by = None
        provider.verified_via = VerifiedVia.PROVIDER
        provider._history_user = None
        provider.save(update_fields=["verified_on", "verified_by", "verified_via"])
        return None
    return ProviderProposal.objects.create(
        provider_id=link.provider_id, link=link, base_version=base_version, submitted_at=now, changes=changes
    )


@transaction.atomic
def provider_proposal_decide(
    *,
    provider: Provider,
    proposal_id: int,
    user: AbstractBaseUser,
    decisions: dict[str, str],
    expected_version: int | None,
) -> Provider:
    """Apply the accepted changes of a provider's proposal, leave the rejected ones; record 事業所が確認.

    Every change needs a decision (DECISION_MISSING otherwise). The changes go through the same save
    as an edit (a new version, the change history under `user`); the verification becomes the day the
    provider confirmed, 事業所が確認. `expected_version` is the provider's version the review page
    showed: EditConflict if it was edited since (the page shows the conflicts again).
    """
    proposal = ProviderProposal.objects.select_for_update().get(pk=proposal_id, provider=provider)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(PROPOSAL_DECIDED, code="decided")
    if set(proposal.changes) - {key for key, value in decisions.items() if value in (ACCEPTED, REJECTED)}:
        raise ValidationError(DECISION_MISSING, code="missing")
    current = lock_for_edit(Provider, pk=proposal.provider_id, expected_version=expected_version)
    confirmed_on = timezone.localdate(proposal.submitted_at)
    data: dict = {}
    entries = []
    procedures = {procedure.code: procedure for procedure in MedicalCareProcedure.objects.all()}
    for key, change in proposal.changes.items():
        if decisions[key] != ACCEPTED:
            continue
        proposed = change["proposed"]
        if key.startswith(ACCEPTANCE_PREFIX):
            procedure = procedures[key.removeprefix(ACCEPTANCE_PREFIX)]
            entries.append(AcceptanceEntry(procedure, proposed["status"], proposed["note"]))
        elif key in PUBLIC_FIELDS:
            data[key] = proposed
            if key == "vacancy_note":
                data["vacancy_noted_on"] = confirmed_on if proposed else None
    provider = _save_provider(
        current,
        user=user,
        data=data,
        acceptances=entries,
        schedules=None,
        verified=False,
        today=None,
        provider_confirmed_on=confirmed_on,
    )
    proposal.status = ProposalStatus.DECIDED
    proposal.decisions = {key: decisions[key] for key in proposal.changes}
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decisions", "decided_by", "decided_at"])
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
