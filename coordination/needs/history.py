"""A need's change history."""

from coordination.needs.models import Need
from tabular.history import History, Tracked, history_entries

NEED_FIELDS = ["title", "category", "description", "life_stages", "status", "status_changed_on", "raised_at"]


def need_history(need: Need, *, limit: int | None) -> History:
    """The need's changes, newest first (one query, plus one per kind of name shown)."""
    records = need.history.select_related("history_user")
    return history_entries([Tracked(records, NEED_FIELDS)], limit=limit)
