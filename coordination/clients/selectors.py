"""Reads of clients, each shaped for one page."""

from dataclasses import dataclass
from datetime import date, time
from difflib import SequenceMatcher

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Replace
from django.utils import timezone

from accounts.models import Office
from common.kana import fold_for_comparison, fold_for_search
from coordination.clients.models import Client, ClientStatus
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog, Counterpart
from directory.selectors import office_districts


def client_list_rows(office: Office):
    """An office's clients with what the client list shows (per page: count, rows, procedures).

    `last_contact_on` is the date of the client's latest contact log, for the column and the sort.
    """
    last_contact = ContactLog.objects.filter(client=OuterRef("pk")).order_by("-occurred_on").values("occurred_on")[:1]
    return (
        Client.objects.for_office(office)
        .select_related("district", "assigned_coordinator")
        .prefetch_related("procedures")
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


def client_timeline(client: Client, *, today: date) -> list[TimelineEntry]:
    """Every log of the client and every follow-up, open or done (placed on its due date), newest first (five queries)."""
    logs = (
        ContactLog.objects.filter(office_id=client.office_id, client=client)
        .select_related("method__parent", "coordinator")
        .prefetch_related(
            Prefetch("counterparts", queryset=Counterpart.objects.select_related("category", "provider")),
            "activity_types",
        )
    )
    follow_ups = FollowUp.objects.filter(office_id=client.office_id, client=client).select_related(
        "contact_log", "assignee"
    )
    entries = [TimelineEntry("log", log.occurred_on, log=log) for log in logs]
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


def _similar_kana(a: str, b: str) -> bool:
    return a == b or a.startswith(b) or b.startswith(a) or SequenceMatcher(None, a, b).ratio() >= 0.8


def likely_duplicates(office: Office, birth_date: date | None, name_kana: str, *, exclude_pk=None) -> list[Client]:
    """The office's clients born the same day whose フリガナ looks alike (one query).

    Alike after folding width, hiragana/katakana and spaces: equal, one a prefix of the other
    (a given name left out), or a difflib ratio of 0.8 or more (a typo).
    """
    key = fold_for_comparison(name_kana)
    if birth_date is None or not key:
        return []
    candidates = Client.objects.for_office(office).filter(birth_date=birth_date).exclude(pk=exclude_pk)
    return [
        candidate
        for candidate in candidates.select_related("district").order_by("name_kana", "pk")
        if fold_for_comparison(candidate.name_kana) and _similar_kana(key, fold_for_comparison(candidate.name_kana))
    ]


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
