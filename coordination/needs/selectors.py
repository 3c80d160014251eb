"""Reads of the needs register, each shaped for one page."""

import re

from django.db.models import Count

from accounts.models import Office
from coordination.clients.models import Client
from coordination.events.models import Event, EventKind
from coordination.logs.models import ContactLog
from coordination.needs.models import Need, NeedNote

_SPACES = re.compile(r"[\s\u3000]+")


def needs_for_page(office: Office):
    """An office's needs with their category and the meeting they were raised at."""
    return Need.objects.for_office(office).select_related("category", "raised_at", "created_by")


def need_list_rows(office: Office):
    """An office's needs with what the list (and its export) shows: category, log and family counts, one query a page."""
    return (
        needs_for_page(office)
        .annotate(
            log_count=Count("logs", distinct=True),
            family_count=Count("logs__client", distinct=True),
        )
        .order_by("-status_changed_on", "-id")
    )


def need_logs(need: Need):
    """The need's logs for its page: date and method only, newest first."""
    return need.logs.select_related("method").only("pk", "occurred_on", "method__label").order_by("-occurred_on", "-id")


def families_affected(need: Need) -> int:
    """The distinct clients of the need's logs."""
    return need.logs.filter(client__isnull=False).values("client_id").distinct().count()


def need_notes(need: Need):
    """The need's dated notes, newest first, with who wrote them."""
    return NeedNote.objects.filter(need=need).select_related("author").order_by("-on", "-id")


def needs_of_log(log: ContactLog):
    return Need.objects.filter(logs=log).select_related("category").order_by("-status_changed_on", "-id")


def _folded(text: str) -> str:
    return _SPACES.sub("", text)


def client_names_in(office: Office, *texts: str) -> list[str]:
    """The names of the office's clients that `texts` contain (full name, with or without the space
    between family and given name), sorted; one query, and names are matched in Python because a
    name in the text is what is looked for, not the text in a name."""
    haystack = "".join(_folded(text) for text in texts if text)
    if not haystack:
        return []
    found = set()
    for name in Client.objects.for_office(office).exclude(name="").values_list("name", flat=True).iterator():
        folded = _folded(name)
        # A one-character name would match almost any text: not a name worth warning about.
        if len(folded) >= 2 and folded in haystack:
            found.add(name)
    return sorted(found)


def meetings_of_office(office: Office):
    """The office's meetings, newest first: where a need may be raised."""
    return Event.objects.for_office(office).filter(kind=EventKind.MEETING).order_by("-held_on", "-id")
