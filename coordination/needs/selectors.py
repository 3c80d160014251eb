"""Reads of the needs register, each shaped for one page."""

import re
from datetime import date

from django.db.models import Count, Prefetch
from django.db.models.functions import Concat

from accounts.models import Office, User
from coordination.clients.models import Client, Guardian
from coordination.events.models import Event, EventKind
from coordination.logs.models import ContactLog
from coordination.needs.models import Need, NeedNote, NeedStatus

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


def needs_for_report(office: Office, start: date):
    """The office's needs a report of a period from `start` may show, with what it shows prefetched (a
    constant number of queries): their category, meeting, districts and dated notes (oldest
    first). A need already 解決 before `start` and not moved since is left out in the database."""
    return (
        Need.objects.for_office(office)
        .exclude(status=NeedStatus.RESOLVED, status_changed_on__lt=start)
        .select_related("category", "raised_at")
        .prefetch_related(
            "districts",
            Prefetch("notes", queryset=NeedNote.objects.only("need_id", "on", "status", "text").order_by("on", "id")),
        )
        .order_by("category__position", "id")
    )


def need_family_pairs(needs, end: date) -> set[tuple[int, int]]:
    """(need id, client id) for the clients of the needs' logs dated up to `end`: one query."""
    return set(
        Need.logs.through.objects.filter(
            need__in=needs, contactlog__occurred_on__lte=end, contactlog__client__isnull=False
        ).values_list("need_id", "contactlog__client_id")
    )


def people_names(office: Office) -> frozenset[str]:
    """The full names (spaces removed) of the office's clients, their families and its staff (those
    with a family and a given name): one query. A name of one character is left out, as in
    client_names_in."""
    clients = Client.objects.for_office(office).order_by().values_list("name")
    families = Guardian.objects.filter(client__office=office).order_by().values_list("name")
    # A staff member's family name alone (佐藤) is too common a word to leave a text out for.
    staff = (
        User.objects.filter(office=office)
        .exclude(last_name="")
        .exclude(first_name="")
        .order_by()
        .annotate(full_name=Concat("last_name", "first_name"))
        .values_list("full_name")
    )
    return frozenset(folded for (name,) in clients.union(families, staff) if len(folded := _folded(name or "")) >= 2)


def contains_a_name(names: frozenset[str], text: str) -> bool:
    """Whether `text` contains one of `names` (from people_names), with or without spaces."""
    haystack = _folded(text)
    return any(name in haystack for name in names)
