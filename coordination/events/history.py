"""An event's change history."""

from coordination.events.models import Event
from tabular.history import (
    FieldChange,
    History,
    Tracked,
    history_entries,
    show_value,
)

EVENT_FIELDS = [
    "kind",
    "role",
    "scope",
    "name",
    "held_on",
    "started_at",
    "ends_on",
    "method_venue",
    "topic",
    "audience",
    "participant_count",
    "participant_note",
    "contact_log",
]


def _counted_as_log(old, new) -> list[FieldChange]:
    # The linked log itself has its own page and history; here only whether there is one.
    if (old is None) == (new is None):
        return []
    label = "相談・支援・活動記録に数える"
    return [FieldChange(label, show_value(old is not None), show_value(new is not None))]


def event_history(event: Event, *, limit: int | None) -> History:
    """The event's changes, newest first (one query, plus one per kind of name shown)."""
    records = event.history.select_related("history_user")
    return history_entries([Tracked(records, EVENT_FIELDS, differs={"contact_log": _counted_as_log})], limit=limit)
