"""Reads for coordination's pages, each shaped for one page."""
from datetime import date, timedelta

from django.db.models import Count, Q

from directory.models import Provider, ProviderCategory

from .fiscal import FiscalPeriod, fiscal_year_of
from .models import Client, ContactLog, Event, Office, User


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
