"""Whose access log rows a viewer reads, and the people named on a page of them."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import Office, User
from audit.models import AccessEvent
from audit.selectors import people_condition
from coordination.access_log.targets import client_condition
from coordination.clients.models import Client
from directory.models import ProviderLink

# A provider's one-time link is used without an account: its rows name the link (directory/link_views.py).
PROVIDER_LINK_SCREENS = ("directory:provider_link_open", "directory:provider_link_page")


def office_condition(office: Office) -> Q:
    """An office's rows: what its users did, failed sign-ins typed with their usernames included, and the
    uses of the one-time links its users sent to providers."""
    condition = people_condition(User.objects.filter(office=office))
    links = list(ProviderLink.objects.filter(created_by__office=office).values_list("pk", flat=True))
    if links:
        condition |= Q(url_name__in=PROVIDER_LINK_SCREENS, object_ids__link__in=links)
    return condition


def access_events_for_log() -> QuerySet[AccessEvent]:
    """Every row, newest first, users joined; the filter narrows it to the viewer's (filters.py)."""
    return AccessEvent.objects.select_related("user").order_by("-occurred_at", "-id")


def client_access_events(client: Client) -> QuerySet[AccessEvent]:
    """Who opened, exported or was refused this client's record (its page, logs, referrals,
    follow-ups and the forms and exports opened from it), whoever they were, newest first."""
    return AccessEvent.objects.filter(client_condition(client)).select_related("user").order_by("-occurred_at", "-id")


def people_by_username(events: Iterable[AccessEvent]) -> dict[str, User]:
    """The accounts of the names typed at refused sign-ins (rows without a user), in one query."""
    names = {event.username for event in events if event.user_id is None and event.username}
    return {user.username: user for user in User.objects.filter(username__in=names)} if names else {}
