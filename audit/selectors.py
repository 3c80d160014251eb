"""Reading the access log."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

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
