"""Reads for coordination's pages, each shaped for one page."""
from dataclasses import dataclass
from datetime import date, time, timedelta
from difflib import SequenceMatcher

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models import Case, Value, When
from django.db.models.functions import Replace

from common.kana import fold_for_comparison, fold_for_search
from directory.models import Provider, ProviderCategory
from directory.selectors import office_districts

from accounts.models import Office, User
from .fiscal import FiscalPeriod, fiscal_year_of
from .models import Client, ClientStatus, ContactLog, Counterpart, Event
from .models import ActivityType
from .transitions import Transition, add_months, transitions_between


def follow_ups_for(user: User, *, today: date, horizon_days: int = 14, limit: int = 20):
    """A coordinator's open follow-ups, overdue first, due within the horizon (one query)."""
    return (
        ContactLog.objects.filter(office=user.office, coordinator=user)
        .open_follow_ups()
        .filter(follow_up_due_on__lte=today + timedelta(days=horizon_days))
        .select_related("client")
        .order_by("follow_up_due_on", "id")[:limit]
    )


def recent_logs_for(user: User, *, limit: int = 10):
    """A coordinator's latest logs with what the home page shows of them (one query)."""
    return (
        ContactLog.objects.filter(office=user.office, coordinator=user)
        .select_related("client", "method__parent")
        .order_by("-occurred_on", "-started_at", "-id")[:limit]
    )


def office_quarter_counts(office: Office, *, fiscal_year: int) -> list[dict]:
    """Logs, distinct clients and events per quarter of a fiscal year (two queries)."""
    quarters = FiscalPeriod(fiscal_year).single_quarters()
    logs = ContactLog.objects.for_office(office).aggregate(
        **{
            f"logs_{p.first_quarter}": Count("id", filter=Q(occurred_on__range=(p.start, p.end)))
            for p in quarters
        },
        **{
            f"clients_{p.first_quarter}": Count(
                "client", distinct=True, filter=Q(occurred_on__range=(p.start, p.end))
            )
            for p in quarters
        },
    )
    events = Event.objects.for_office(office).aggregate(
        **{f"events_{p.first_quarter}": Count("id", filter=Q(held_on__range=(p.start, p.end))) for p in quarters}
    )
    return [
        {
            "period": p,
            "logs": logs[f"logs_{p.first_quarter}"],
            "clients": logs[f"clients_{p.first_quarter}"],
            "events": events[f"events_{p.first_quarter}"],
        }
        for p in quarters
    ]


def supervisor_overview(office: Office, *, today: date) -> dict:
    """What a supervisor sees first: this and last fiscal year by quarter."""
    fiscal_year = fiscal_year_of(today)
    return {
        "fiscal_years": [
            {"label": FiscalPeriod(year).label.split(" ")[0], "quarters": office_quarter_counts(office, fiscal_year=year)}
            for year in (fiscal_year, fiscal_year - 1)
        ],
        "client_count": Client.objects.for_office(office).count(),
    }


def provider_counts_by_category():
    """Active providers per category, for the ward staff's home page (one query)."""
    return ProviderCategory.objects.annotate(
        provider_count=Count("providers", filter=Q(providers__is_active=True))
    ).order_by("position")


def admin_overview() -> dict:
    return {
        "offices": Office.objects.annotate(
            user_count=Count("users", distinct=True), client_count=Count("clients", distinct=True)
        ).order_by("name"),
        "provider_count": Provider.objects.count(),
    }


# --- clients -------------------------------------------------------------------------------


def client_list_rows(office: Office):
    """An office's clients with what the client list shows (per page: count, rows, procedures).

    `last_contact_on` is the date of the client's latest contact log, for the column and the sort.
    """
    last_contact = (
        ContactLog.objects.filter(client=OuterRef("pk")).order_by("-occurred_on").values("occurred_on")[:1]
    )
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
    """A contact log, or the follow-up it asked for, on the client page's timeline."""

    kind: str  # "log" or "follow_up"
    on: date
    log: ContactLog
    is_open: bool = False
    is_overdue: bool = False


def client_timeline(client: Client, *, today: date) -> list[TimelineEntry]:
    """Every log of the client and every follow-up (placed on its due date), newest first (four queries)."""
    logs = (
        ContactLog.objects.filter(office_id=client.office_id, client=client)
        .select_related("method__parent", "coordinator")
        .prefetch_related(
            Prefetch("counterparts", queryset=Counterpart.objects.select_related("category", "provider")),
            "activity_types",
        )
    )
    entries = []
    for log in logs:
        entries.append(TimelineEntry("log", log.occurred_on, log))
        if log.follow_up_action:
            is_open = log.follow_up_done_on is None
            due = log.follow_up_due_on
            entries.append(
                TimelineEntry(
                    "follow_up", due or log.occurred_on, log,
                    is_open=is_open, is_overdue=is_open and due is not None and due < today,
                )
            )
    # Same day: the follow-up above the log; then later starts and later entries first.
    entries.sort(
        key=lambda e: (e.on, e.kind == "follow_up", e.log.started_at or time.min, e.log.pk), reverse=True
    )
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
class UpcomingTransition:
    client: Client
    transition: Transition


@dataclass(frozen=True)
class UpcomingTransitions:
    items: list[UpcomingTransition]
    until: date
    whole_office: bool  # the coordinator has no assigned client, so the office's are shown


def upcoming_transitions(user: User, *, today: date, months: int = 6) -> UpcomingTransitions:
    """Life-stage transitions from today to `months` ahead of the user's assigned clients (two queries).

    A coordinator with no client assigned (new, or covering) sees the whole office's instead of
    an empty box. Closed (終結) clients are left out.
    """
    until = add_months(today, months)
    clients = Client.objects.for_office(user.office).exclude(status=ClientStatus.CLOSED)
    whole_office = not clients.filter(assigned_coordinator=user).exists()
    if not whole_office:
        clients = clients.filter(assigned_coordinator=user)
    # The last transition is the 20th birthday: anyone born earlier than 21 years ago is past it.
    clients = clients.filter(birth_date__gte=date(today.year - 21, 1, 1)).select_related("assigned_coordinator")
    items = [
        UpcomingTransition(client, transition)
        for client in clients
        for transition in transitions_between(client.birth_date, today, until)
    ]
    items.sort(key=lambda item: (item.transition.on, item.client.name_kana, item.client.pk))
    return UpcomingTransitions(items=items, until=until, whole_office=whole_office)


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


# --- events --------------------------------------------------------------------------------


def events_for_list(office: Office):
    """An office's events for the event list: only the event's own columns are shown (no joins)."""
    return Event.objects.for_office(office)


def events_with_log(office: Office):
    """An office's events with the linked contact log's method and types, for the event page."""
    return (
        Event.objects.for_office(office)
        .select_related("contact_log__method__parent", "contact_log__coordinator")
        .prefetch_related("contact_log__activity_types__parent")
    )


def event_fiscal_years(office: Office, *, today: date) -> list[int]:
    """Fiscal years from the office's first event to its last or to this year, newest first (one query)."""
    bounds = Event.objects.for_office(office).aggregate(first=Min("held_on"), last=Max("held_on"))
    this_year = fiscal_year_of(today)
    first = fiscal_year_of(bounds["first"]) if bounds["first"] else this_year
    last = max(fiscal_year_of(bounds["last"]) if bounds["last"] else this_year, this_year)
    return list(range(last, min(first, this_year) - 1, -1))


# --- contact log entry -------------------------------------------------------------------------


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


def log_for_page(office: Office):
    """The office's logs with what the log page and the edit form show; the view picks one by id."""
    return (
        ContactLog.objects.for_office(office)
        .select_related("client", "coordinator", "method__parent")
        .prefetch_related(
            Prefetch(
                "counterparts",
                queryset=Counterpart.objects.select_related("category__parent__parent", "provider").order_by("id"),
            ),
            Prefetch("activity_types", queryset=ActivityType.objects.select_related("parent").order_by("position")),
        )
    )


def contact_logs_for_list(office: Office):
    """The office's logs with what a row of the log list or its export shows, newest first.

    Evaluating a page costs three queries: the logs (with client, coordinator and method), their
    counterparts (with category path and provider) and their activity types (with parent).
    """
    return (
        ContactLog.objects.for_office(office)
        .select_related("client", "coordinator", "method__parent")
        .prefetch_related(
            Prefetch(
                "counterparts",
                queryset=Counterpart.objects.select_related("category__parent__parent", "provider").order_by("id"),
            ),
            Prefetch("activity_types", queryset=ActivityType.objects.select_related("parent").order_by("position")),
        )
        .order_by("-occurred_on", "-started_at", "-id")
    )
