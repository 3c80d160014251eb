"""The models of coordination, one module per area (clients/, logs/, events/).

Django loads an app's models from `<app>.models`: this module imports every area's models so that
they are registered, and other apps may import coordination's models from here.
"""

from coordination.clients.models import CLIENT_HISTORY, Client, ClientStatus, Guardian
from coordination.events.models import Event, EventKind, EventQuerySet, EventScope
from coordination.logs.models import (
    CONTACT_LOG_HISTORY,
    LEAF,
    ActivityType,
    ContactLog,
    ContactLogQuerySet,
    ContactMethod,
    Counterpart,
)

__all__ = [
    "CLIENT_HISTORY",
    "CONTACT_LOG_HISTORY",
    "LEAF",
    "ActivityType",
    "Client",
    "ClientStatus",
    "ContactLog",
    "ContactLogQuerySet",
    "ContactMethod",
    "Counterpart",
    "Event",
    "EventKind",
    "EventQuerySet",
    "EventScope",
    "Guardian",
]
