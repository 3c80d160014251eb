"""The aggregation queries behind the 業務報告書: one query each, whatever the number of logs."""

from django.db.models import Count, Q

from coordination.clients.models import Client
from coordination.events.models import Event
from coordination.logs.models import ContactLog, Counterpart


def _logs(office, period):
    return ContactLog.objects.for_office(office).in_period(period)


def client_contacts(office, period) -> list[dict]:
    """Per client with a log in the period: its facts and its number of logs.

    Two queries: counting by client_id alone reads only the covering index of the logs, which
    is several times faster than grouping over a join with the clients.
    """
    logs = _logs(office, period).exclude(client=None)
    contacts = dict(logs.values_list("client_id").annotate(n=Count("id")).order_by())
    clients = Client.objects.filter(pk__in=logs.values("client_id")).values(
        "id",
        "birth_date",
        "age_band_override",
        "has_medical_care",
        "district_id",
        "district__municipality",
        "municipality_outside",
    )
    return [{**client, "contacts": contacts[client["id"]]} for client in clients]


def counterparts(office, period) -> list[dict]:
    """Counterparts per (category, organization), most frequent first within a category.

    Family members name no organization: their rows have no provider and an empty name.
    """
    return list(
        Counterpart.objects.filter(contact_log__in=_logs(office, period))
        .values("category_id", "provider__name", "organization_name")
        .annotate(n=Count("id"))
        .order_by("category_id", "-n", "provider__name", "organization_name")
    )


def logs_by_day_and_method(office, period, hour_ranges) -> list[dict]:
    """Logs per (day, method), with how many start within each of the given (opens, closes) ranges.

    One pass over the covering index feeds §4, the monthly chart and the header's out-of-hours count.
    """
    in_range = {
        f"within_{index}": Count(
            "id", filter=Q(started_at__isnull=True) | Q(started_at__gte=opens, started_at__lt=closes)
        )
        for index, (opens, closes) in enumerate(hour_ranges)
    }
    return list(
        _logs(office, period).values("occurred_on", "method_id").annotate(total=Count("id"), **in_range).order_by()
    )


def activity_type_counts(office, period) -> dict[int, int]:
    through = ContactLog.activity_types.through.objects.filter(contactlog__in=_logs(office, period))
    rows = through.values("activitytype_id").annotate(n=Count("id")).order_by()
    return {row["activitytype_id"]: row["n"] for row in rows}


def activity_summaries(office, period) -> list[tuple[int, str]]:
    """(activity type, summary) of the logs marked for the report, in date order."""
    through = ContactLog.activity_types.through.objects.filter(
        contactlog__in=_logs(office, period).filter(include_in_report=True)
    )
    return list(
        through.order_by("contactlog__occurred_on", "contactlog__started_at", "contactlog_id").values_list(
            "activitytype_id", "contactlog__report_summary"
        )
    )


def events(office, period) -> list[Event]:
    return list(Event.objects.for_office(office).in_period(period).order_by("held_on", "started_at", "id"))
