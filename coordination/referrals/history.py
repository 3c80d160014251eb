"""A referral's change history."""

from coordination.referrals.models import Referral
from tabular.history import History, Tracked, history_entries

REFERRAL_FIELDS = [
    "state",
    "state_changed_on",
    "provider",
    "organization_name",
    "organization_category",
    "purpose",
    "needs",
    "shared_items",
    "answer_due_on",
    "coordinator",
    "consent",
    "consent_override_reason",
    "consent_override_by",
    "requested_on",
    "answered_on",
    "decline_reason",
]


def referral_history(referral: Referral, *, limit: int | None) -> History:
    """The referral's changes, newest first (one query, plus one per kind of name shown)."""
    records = referral.history.select_related("history_user")
    return history_entries([Tracked(records, REFERRAL_FIELDS)], limit=limit)
