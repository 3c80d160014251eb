"""Reading the access log."""

import re
from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .chain import CHAINED_FIELDS
from .models import AccessEvent, Action


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


# Rows recorded without a user: the name typed is all there is of who it was.
UNSIGNED_ACTIONS = (Action.SIGN_IN_FAILED, Action.LOCKED_OUT)


def people_condition(users: QuerySet) -> Q:
    """Rows of these accounts, and the failed sign-ins and lockouts typed with their usernames.

    A refused sign-in has no user (the name typed may match nobody): it counts when the name typed
    is one of theirs. `users` is a queryset of the user model (the caller says whose; audit knows no office).
    """
    return Q(user__in=users.values("pk")) | Q(
        user__isnull=True, action__in=UNSIGNED_ACTIONS, username__in=users.values("username")
    )


def access_events_of_people(users: QuerySet) -> QuerySet[AccessEvent]:
    """Newest first: what these accounts did (see `people_condition`)."""
    return AccessEvent.objects.filter(people_condition(users)).select_related("user").order_by("-occurred_at", "-id")


def about_condition(
    pages: Iterable[tuple[Collection[str], Collection[int]]],
    *,
    created_from: tuple[Collection[str], str, int] | None = None,
) -> Q:
    """Rows of pages that showed one of these objects: (URL names, ids) pairs, ids as recorded in `object_ids["pk"]`.

    `created_from` adds new-record forms opened from an object, named in the query string
    (`(["referral_create"], "client", 12)` for `/referrals/new/?client=12`), exports of a list
    filtered by it included. Matches nothing when given nothing.
    """
    condition = Q(pk__in=[])
    for names, ids in pages:
        ids = sorted({int(pk) for pk in ids})
        if names and ids:
            condition |= Q(url_name__in=sorted(names), object_ids__pk__in=ids)
    if created_from is not None:
        names, key, value = created_from
        condition |= Q(url_name__in=sorted(names), path__regex=rf"[?&]{re.escape(key)}={int(value)}(&|$)")
    return condition


def access_events_about(
    pages: Iterable[tuple[Collection[str], Collection[int]]],
    *,
    created_from: tuple[Collection[str], str, int] | None = None,
) -> QuerySet[AccessEvent]:
    """Newest first: who opened, exported or was refused one of these objects (see `about_condition`)."""
    return (
        AccessEvent.objects.filter(about_condition(pages, created_from=created_from))
        .select_related("user")
        .order_by("-occurred_at", "-id")
    )
