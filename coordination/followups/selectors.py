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
    """The user's open follow-ups due within the horizon, overdue first (one query)."""
    return (
        follow_ups_for_page(user.office)
        .open()
        .filter(assignee=user, due_on__lte=today + timedelta(days=horizon_days))
        .order_by("due_on", "id")[:limit]
    )
