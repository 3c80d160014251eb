"""What each role's home page shows: follow-ups, recent logs, transitions, the office's counts."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q

from accounts.models import USER_NAME_FIELDS, Office, User
from coordination.clients.models import Client, ClientStatus
from coordination.clients.transitions import Transition, add_months, transitions_between
from coordination.events.models import Event
from coordination.fiscal import FiscalPeriod, fiscal_year_of
from coordination.followups.models import FollowUp
from coordination.followups.selectors import follow_ups_due_for
from coordination.logs.models import ContactLog
from coordination.referrals.models import Referral
from directory.models import Provider, ProviderCategory


def follow_ups_for(user: User, *, today: date, horizon_days: int = 14, limit: int = 20):
    """A coordinator's open follow-ups due within the horizon, overdue first, with their links (one query)."""
    return follow_ups_due_for(user, today=today, horizon_days=horizon_days, limit=limit)


def open_follow_up_count(user: User) -> int:
    """All the user's open follow-ups, however far off (one query): the home page links to them."""
    return FollowUp.objects.for_office(user.office).open().filter(assignee=user).count()


def office_overdue_follow_up_count(office: Office, *, today: date) -> int:
    """The office's open follow-ups past their due date, for the supervisor's home page (one query)."""
    return FollowUp.objects.for_office(office).overdue(today).count()


def referrals_waiting_for(user: User, today: date, *, limit: int = 20) -> list[Referral]:
    """The user's referrals sent and waiting for an answer, the answer's due date first (one query).

    Each is marked `answer_overdue` when its answer was due before today.
    """
    referrals = list(
        Referral.objects.for_office(user.office)
        .waiting_for_answer()
        .filter(coordinator=user)
        .select_related("client", "provider")
        # The home page shows the client's name and the organization: no encrypted note is read.
        .defer("shared_note", "shared_snapshot", "client__notes", "provider__internal_note", "provider__search_text")
        .order_by(F("answer_due_on").asc(nulls_last=True), "id")[:limit]
    )
    for referral in referrals:
        referral.answer_overdue = referral.answer_due_on is not None and referral.answer_due_on < today
    return referrals


def recent_logs_for(user: User, *, limit: int = 10):
    """A coordinator's latest logs with what the home page shows of them (one query)."""
    return (
        ContactLog.objects.filter(office=user.office, coordinator=user)
        .select_related("client", "method__parent")
        .defer("confidential_notes", "client__notes")  # not shown here
        .order_by("-occurred_on", "-started_at", "-id")[:limit]
    )


def office_quarter_counts(office: Office, *, fiscal_year: int) -> list[dict]:
    """Logs, distinct clients and events per quarter of a fiscal year (two queries)."""
    quarters = FiscalPeriod(fiscal_year).single_quarters()
    logs = ContactLog.objects.for_office(office).aggregate(
        **{f"logs_{p.first_quarter}": Count("id", filter=Q(occurred_on__range=(p.start, p.end))) for p in quarters},
        **{
            f"clients_{p.first_quarter}": Count("client", distinct=True, filter=Q(occurred_on__range=(p.start, p.end)))
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
            {
                "label": FiscalPeriod(year).label.split(" ")[0],
                "quarters": office_quarter_counts(office, fiscal_year=year),
            }
            for year in (fiscal_year, fiscal_year - 1)
        ],
        "client_count": Client.objects.for_office(office).count(),
        "overdue_follow_ups": office_overdue_follow_up_count(office, today=today),
        **office_referrals_to_check(office, today=today),
    }


def office_referrals_to_check(office: Office, *, today: date) -> dict:
    """The office's referrals past their answer date, and open ones whose consent was withdrawn (one query)."""
    return Referral.objects.for_office(office).aggregate(
        overdue_referrals=Count("id", filter=Q(pk__in=Referral.objects.answer_overdue(today).values("pk"))),
        consent_withdrawn_referrals=Count("id", filter=Q(pk__in=Referral.objects.consent_withdrawn().values("pk"))),
    )


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


TRANSITION_FIELDS = ("name", "name_kana", "birth_date", "age_band_override", "age_band_override_reason")


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
    """Life-stage transitions from today to `months` ahead of the user's assigned clients (two or three queries).

    A coordinator with no client assigned (new, or covering) sees the whole office's instead of
    an empty box. Closed (終結) clients are left out.

    The dates come from the birth dates alone, so they are computed from (id, birth date) pairs; only
    the few clients with a transition in the window are read whole (an office has thousands).
    """
    until = add_months(today, months)
    clients = Client.objects.for_office(user.office).exclude(status=ClientStatus.CLOSED)
    # The last transition is the 20th birthday: anyone born earlier than 21 years ago is past it.
    recent = Q(birth_date__gte=date(today.year - 21, 1, 1))
    assigned = list(clients.filter(assigned_coordinator=user).order_by().values_list("pk", "birth_date"))
    whole_office = not assigned
    if whole_office:
        births = clients.filter(recent).order_by().values_list("pk", "birth_date")
    else:
        births = [(pk, born) for pk, born in assigned if born is not None and born >= date(today.year - 21, 1, 1)]
    found = {pk: transitions for pk, born in births if (transitions := transitions_between(born, today, until))}
    # What the box shows of a client: the name, the age band override and the coordinator's name.
    shown = (
        Client.objects.filter(pk__in=list(found))
        .select_related("assigned_coordinator")
        .only(*TRANSITION_FIELDS, *(f"assigned_coordinator__{name}" for name in USER_NAME_FIELDS))
        if found
        else []
    )
    items = [UpcomingTransition(client, transition) for client in shown for transition in found[client.pk]]
    items.sort(key=lambda item: (item.transition.on, item.client.name_kana, item.client.pk))
    return UpcomingTransitions(items=items, until=until, whole_office=whole_office)
