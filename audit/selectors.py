"""Reading the access log."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .chain import CHAINED_FIELDS
from .models import AccessEvent


def access_events_for_list(
    *,
    username: str = "",
    action: str = "",
    target: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AccessEvent]:
    """Newest first, filtered; dates are whole local days, both ends included."""
    events = AccessEvent.objects.all()
    if username:
        events = events.filter(username__icontains=username)
    if action:
        events = events.filter(action=action)
    if target:
        # An object id ({"pk": 12} on our pages, {"object_id": "12"} in Django admin) or any part
        # of the URL or the screen name.
        text_match = Q(path__icontains=target) | Q(url_name__icontains=target)
        if target.isdigit():
            text_match |= Q(object_ids__pk=int(target)) | Q(object_ids__object_id=target)
        events = events.filter(text_match)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(occurred_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        events = events.filter(occurred_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone))
    return events.order_by("-occurred_at", "-id")


def access_events_in_chain_order(*, chunk_size: int = 2000) -> Iterator[dict]:
    """Every row as a dict of its id, hashes and chained fields, in id order, one query per chunk.

    Keyset pages (id > the last one read) rather than a server-side cursor: memory stays flat
    and it works the same on SQLite, PostgreSQL and behind a connection pooler.
    """
    fields = ("id", "previous_hash", "row_hash", *CHAINED_FIELDS)
    rows = AccessEvent.objects.order_by("id").values(*fields)
    chunk = list(rows[:chunk_size])
    while chunk:
        yield from chunk
        chunk = list(rows.filter(id__gt=chunk[-1]["id"])[:chunk_size])
