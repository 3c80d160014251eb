"""Reads of events, each shaped for one page."""

from datetime import date

from django.db.models import Max, Min

from accounts.models import Office
from coordination.events.models import Event
from coordination.fiscal import fiscal_year_of


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
