"""Reads of clients, each shaped for one page."""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from difflib import SequenceMatcher

from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Replace
from django.utils import timezone
from jaconv import kata2hira

from accounts.models import USER_NAME_FIELDS, Office, user_fields_but_name
from common.kana import fold_for_comparison, fold_for_search, fold_for_storage
from coordination.clients.models import Client, ClientStatus, Consent, Guardian
from coordination.followups.models import FollowUp
from coordination.logs.models import ActivityType, ContactLog
from coordination.logs.selectors import counterparts_shown
from directory.selectors import office_districts


def client_list_rows(office: Office):
    """An office's clients with what the client list shows (per page: count, rows, procedures).

    `last_contact_on` is the date of the client's latest contact log, for the column and the sort;
    `shown_procedures` the list of the client's procedures.
    """
    last_contact = ContactLog.objects.filter(client=OuterRef("pk")).order_by("-occurred_on").values("occurred_on")[:1]
    return (
        Client.objects.for_office(office)
        .select_related("district", "assigned_coordinator")
        .defer("notes", *user_fields_but_name("assigned_coordinator"))  # the list shows neither
        .prefetch_related(Prefetch("procedures", to_attr="shown_procedures"))  # a list: no queryset made per row
        .annotate(last_contact_on=Subquery(last_contact))
    )


def client_for_page(office: Office):
    """The office's clients with the facts the client page shows; the view picks one by id."""
    return Client.objects.for_office(office).select_related("district", "assigned_coordinator", "consent_taken_by")


@dataclass(frozen=True)
class TimelineEntry:
    """A contact log, or a follow-up (on its due date), on the client page's timeline."""

    kind: str  # "log" or "follow_up"
    on: date
    log: ContactLog | None = None
    follow_up: FollowUp | None = None
    is_open: bool = False
    is_overdue: bool = False

    @property
    def sort_key(self) -> tuple:
        # Same day: a follow-up above the log; then later starts and later entries first.
        if self.kind == "follow_up":
            return (self.on, True, time.min, self.follow_up.pk)
        return (self.on, False, self.log.started_at or time.min, self.log.pk)


FOLLOW_UP_FIELDS = tuple(field.name for field in FollowUp._meta.concrete_fields)

# The client page shows this many of the newest logs; older ones are in the log list filtered by the client.
TIMELINE_LOGS = 50


def client_timeline(client: Client, *, today: date, logs_shown: int | None = None) -> list[TimelineEntry]:
    """The client's logs (the newest `logs_shown`, or every one) and their follow-ups, newest first (five queries).

    A follow-up is placed on its due date (else its log's date, else the day it was made). With every
    log shown, every follow-up comes too; when the newest `logs_shown` leave older logs out, so do the
    follow-ups dated before the oldest log shown, except the open ones (the page lists them all).
    The logs' encrypted notes, which the timeline does not show, are not read (nor decrypted); each log
    holds its counterparts and activity types as lists, `shown_counterparts` and `shown_activity_types`.
    """
    logs = (
        ContactLog.objects.filter(office_id=client.office_id, client=client)
        .select_related("method__parent", "coordinator")
        .prefetch_related(
            # Lists on the logs (to_attr), not a filtered queryset made for each log.
            Prefetch("counterparts", queryset=counterparts_shown("category"), to_attr="shown_counterparts"),
            Prefetch("activity_types", queryset=ActivityType.objects.all(), to_attr="shown_activity_types"),
        )
        .defer("confidential_notes", *user_fields_but_name("coordinator"))
        .order_by("-occurred_on", F("started_at").desc(nulls_last=True), "-pk")
    )
    if logs_shown is not None:
        logs = logs[:logs_shown]
    entries = [TimelineEntry("log", log.occurred_on, log=log) for log in logs]
    follow_ups = (
        FollowUp.objects.filter(office_id=client.office_id, client=client)
        .select_related("contact_log", "assignee")
        # The follow-up whole; of its log the date, of its assignee the name (a client has hundreds).
        .only(*FOLLOW_UP_FIELDS, "contact_log__occurred_on", *(f"assignee__{name}" for name in USER_NAME_FIELDS))
    )
    if logs_shown is not None and len(entries) == logs_shown:
        follow_ups = follow_ups.filter(open_or_dated_from(min(entry.on for entry in entries)))
    for follow_up in follow_ups:
        is_open = not follow_up.is_done
        due = follow_up.due_on
        entries.append(
            TimelineEntry(
                "follow_up",
                due
                or (
                    follow_up.contact_log.occurred_on
                    if follow_up.contact_log
                    else timezone.localdate(follow_up.created_at)
                ),
                follow_up=follow_up,
                is_open=is_open,
                is_overdue=is_open and due is not None and due < today,
            )
        )
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    return entries


def open_or_dated_from(day: date) -> Q:
    """Follow-ups that are open, or placed on the timeline on `day` or later (as client_timeline places them)."""
    made_from = timezone.make_aware(datetime.combine(day, time.min))
    return (
        Q(done_on__isnull=True)
        | Q(due_on__gte=day)
        | Q(due_on__isnull=True, contact_log__occurred_on__gte=day)
        | Q(due_on__isnull=True, contact_log__isnull=True, created_at__gte=made_from)
    )


def _similar_kana(a: str, b: str) -> bool:
    return a == b or a.startswith(b) or b.startswith(a) or SequenceMatcher(None, a, b).ratio() >= 0.8


# Why a client is listed as a likely duplicate, as the form shows it.
SAME_NAME = "氏名が同じ"
SAME_KANA = "フリガナが同じ"
SAME_PHONE = "保護者・家族の電話番号が同じ"
NEAR_BIRTH_DATE = "生年月日が1日以内で、名前が似ている"

# Shorter numbers (an extension, a number half typed) are not compared.
MIN_PHONE_DIGITS = 8


@dataclass(frozen=True)
class DuplicateCandidate:
    client: Client
    reasons: tuple[str, ...]


def phone_digits(phone: str) -> str:
    """The digits of a phone number as typed (`090-1234-5678`, `（03）3908.1234`, full-width too)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", phone or "") if ch.isascii() and ch.isdigit())


def _phone_pattern(digits: list[str]) -> str:
    """A regex matching a stored number with exactly one of these digit strings, whatever is between them."""
    return r"^\D*(" + "|".join(r"\D*".join(number) for number in digits) + r")\D*$"


def _surname(text: str) -> str:
    """The part before the first space (`岡野 芽衣` → `岡野`), or "" when the name has no space."""
    parts = fold_for_storage(text).split(" ")
    return parts[0] if len(parts) > 1 else ""


def _similar_names(client: Client, *, name: str, name_kana: str) -> bool:
    """Similar フリガナ (equal, a prefix, or a typo away), or the same surname in 氏名 or in フリガナ."""
    kana_key, other_kana = fold_for_comparison(name_kana), fold_for_comparison(client.name_kana)
    if kana_key and other_kana and _similar_kana(kana_key, other_kana):
        return True
    return any(
        mine and mine == _surname(theirs)
        for mine, theirs in ((_surname(name), client.name), (_surname(name_kana), client.name_kana))
    )


def likely_duplicates(
    office: Office,
    *,
    name: str,
    name_kana: str,
    birth_date: date | None,
    phones: Iterable[str] = (),
    exclude_pk: int | None = None,
) -> list[DuplicateCandidate]:
    """The office's clients that may be the same person as the one typed, with why (one query).

    A client is listed when any of these holds (docs/user-guide.md explains them to users):

    - the same 氏名, or the same フリガナ, after folding width, hiragana/katakana and spaces;
    - a guardian with the same phone number (digits only, 8 or more of them);
    - a birth date at most one day apart (a slip of a digit or a birth near midnight) and a
      similar name: フリガナ equal, one a prefix of the other (a given name left out) or a
      difflib ratio of 0.8 or more (a typo), or the same surname (the part before the space) in
      氏名 or in フリガナ.

    The database narrows the rows (same compact name or フリガナ, the birth dates, the phone as a
    regex over the guardians); the rules are then applied exactly in Python.
    """
    name_key, kana_key = fold_for_comparison(name), fold_for_comparison(name_kana)
    numbers = sorted({digits for digits in map(phone_digits, phones) if len(digits) >= MIN_PHONE_DIGITS})
    rules = Q()
    clients = Client.objects.for_office(office).exclude(pk=exclude_pk)
    if name_key:
        compact = "".join(name.split())
        rules |= Q(name_compact__in={compact, unicodedata.normalize("NFKC", compact), name_key, kata2hira(name_key)})
    if kana_key:
        rules |= Q(kana_compact__in={kana_key, kata2hira(kana_key), "".join(name_kana.split())})
    if birth_date is not None:
        rules |= Q(birth_date__range=(birth_date - timedelta(days=1), birth_date + timedelta(days=1)))
    if numbers:
        same_phone = Guardian.objects.filter(client=OuterRef("pk"), phone__regex=_phone_pattern(numbers))
        clients = clients.annotate(same_phone=Exists(same_phone))
        rules |= Q(same_phone=True)
    if not rules:
        return []
    clients = (
        clients.annotate(name_compact=without_spaces("name"), kana_compact=without_spaces("name_kana"))
        .filter(rules)
        .select_related("district")
        .order_by("name_kana", "name", "pk")
    )
    found = []
    for client in clients:
        reasons = []
        if name_key and fold_for_comparison(client.name) == name_key:
            reasons.append(SAME_NAME)
        if kana_key and fold_for_comparison(client.name_kana) == kana_key:
            reasons.append(SAME_KANA)
        if getattr(client, "same_phone", False):
            reasons.append(SAME_PHONE)
        if (
            birth_date is not None
            and client.birth_date is not None
            and abs((client.birth_date - birth_date).days) <= 1
            and _similar_names(client, name=name, name_kana=name_kana)
        ):
            reasons.append(NEAR_BIRTH_DATE)
        if reasons:
            found.append(DuplicateCandidate(client, tuple(reasons)))
    return found


@dataclass(frozen=True)
class DistrictGroup:
    label: str
    clients: list[Client]


def power_dependent_clients(office: Office) -> list[DistrictGroup]:
    """Clients with medical care on powered devices, grouped by district in report order (four queries).

    Then districts the office does not list, clients outside the ward, and those with no address.
    Closed (終結) clients are left out: the list is for calling families in a power cut.
    """
    powered = Client.procedures.through.objects.filter(
        client=OuterRef("pk"), medicalcareprocedure__uses_powered_device=True
    )
    clients = (
        Client.objects.for_office(office)
        .filter(Exists(powered), has_medical_care=True)
        .exclude(status=ClientStatus.CLOSED)
        .select_related("district")
        .prefetch_related("procedures", "guardians")
        .order_by("name_kana", "name", "pk")
    )
    by_district: dict[int, list[Client]] = {}
    outside: dict[str, list[Client]] = {}
    unknown = []
    for client in clients:
        if client.district_id:
            by_district.setdefault(client.district_id, []).append(client)
        elif client.municipality_outside:
            outside.setdefault(client.municipality_outside, []).append(client)
        else:
            unknown.append(client)
    groups = [DistrictGroup(d.name, by_district.pop(d.pk)) for d in office_districts(office) if d.pk in by_district]
    groups += [
        DistrictGroup(rows[0].district.name, rows)
        for rows in sorted(by_district.values(), key=lambda rows: rows[0].district.code)
    ]
    groups += [DistrictGroup(f"区外（{name}）", rows) for name, rows in sorted(outside.items())]
    if unknown:
        groups.append(DistrictGroup("住所地不明", unknown))
    return groups


def without_spaces(expression):
    """The text without half- or full-width spaces, in the database (as fold_for_comparison does in Python)."""
    return Replace(Replace(expression, Value(" "), Value("")), Value("\u3000"), Value(""))


def client_search(office: Office, query: str, *, limit: int = 20):
    """The office's clients whose name or フリガナ contains the query, for the log form's picker (one query).

    Spaces, kana width and hiragana/katakana do not matter (`あおやま はやて` finds アオヤマ ハヤテ);
    names that begin with the query come first.
    """
    compact = "".join(query.split())
    if not compact:
        return Client.objects.none()
    kana = fold_for_search(query)
    clients = Client.objects.for_office(office).annotate(
        name_compact=without_spaces("name"), kana_compact=without_spaces("name_kana")
    )
    return (
        clients.filter(Q(name_compact__icontains=compact) | Q(kana_compact__icontains=kana))
        .annotate(
            starts=Case(
                When(Q(name_compact__istartswith=compact) | Q(kana_compact__istartswith=kana), then=Value(0)),
                default=Value(1),
            )
        )
        .order_by("starts", "name_kana", "name", "pk")[:limit]
    )


def consents_of(client: Client):
    """The client's consents, newest first, with their kinds and who recorded them (two queries)."""
    return client.consents.select_related("recorded_by").prefetch_related("categories")


def consent_rows(client: Client, *, today: date) -> list[dict]:
    """The client page's consents: each with its kinds and whether it is in force today."""
    return [
        {"consent": consent, "kinds": list(consent.categories.all()), "in_force": consent.is_in_force_on(today)}
        for consent in consents_of(client)
    ]


def referrals_under(consent: Consent):
    """The open referrals made under `consent`: once it is withdrawn, those flagged 同意撤回."""
    return list(consent.referrals.open().select_related("provider", "coordinator").order_by("state_changed_on", "id"))
