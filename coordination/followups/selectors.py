"""Reads of follow-ups, each shaped for one page."""

from datetime import date, timedelta

from accounts.models import Office, User
from coordination.followups.models import FollowUp


def follow_ups_for_page(office: Office):
    """The office's follow-ups with what a list row, its export or the follow-up's pages show of them (one query)."""
    return FollowUp.objects.for_office(office).select_related(
        "client", "contact_log__method", "referral__provider", "assignee"
    )


def follow_ups_due_for(user: User, *, today: date, horizon_days: int = 14, limit: int = 20):
    """The user's open follow-ups due within the horizon, overdue first (one query).

    The home page shows their client's name, their log's date and their referral's organization:
    the encrypted notes and the provider's search text of those rows are not read.
    """
    return (
        follow_ups_for_page(user.office)
        .defer(
            "client__notes",
            "contact_log__confidential_notes",
            "referral__shared_note",
            "referral__shared_snapshot",
            "referral__provider__internal_note",
            "referral__provider__search_text",
        )
        .open()
        .filter(assignee=user, due_on__lte=today + timedelta(days=horizon_days))
        .order_by("due_on", "id")[:limit]
    )
