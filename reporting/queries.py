"""The aggregation queries behind the 業務報告書: one query each, whatever the number of logs."""
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from coordination.models import ContactLog, Counterpart, Event


def _logs(office, period):
    return ContactLog.objects.for_office(office).in_period(period)


def client_contacts(office, period) -> list[dict]:
    """Per client with a log in the period: its facts and its number of logs."""
    return list(
        _logs(office, period)
        .exclude(client=None)
        .values(
            "client_id", "client__birth_date", "client__age_band_override", "client__has_medical_care",
            "client__district_id", "client__municipality_outside",
        )
        .annotate(contacts=Count("id"))
        .order_by()
    )


def counterpart_counts(office, period) -> dict[int, int]:
    rows = (
        Counterpart.objects.filter(contact_log__in=_logs(office, period))
        .values("category_id").annotate(n=Count("id")).order_by()
    )
    return {row["category_id"]: row["n"] for row in rows}


def counterpart_organizations(office, period) -> list[dict]:
    """Organization names per category with how often they were named (no family members)."""
    return list(
        Counterpart.objects.filter(contact_log__in=_logs(office, period))
        .filter(Q(provider__isnull=False) | ~Q(organization_name=""))
        .values("category_id", "provider__name", "organization_name")
        .annotate(n=Count("id"))
        .order_by("category_id", "-n", "provider__name", "organization_name")
    )


def method_counts(office, period) -> dict[int, int]:
    rows = _logs(office, period).values("method_id").annotate(n=Count("id")).order_by()
    return {row["method_id"]: row["n"] for row in rows}


def method_counts_by_month(office, period) -> list[dict]:
    """Logs per (first day of month, method) for the chart."""
    return list(
        _logs(office, period)
        .annotate(month=TruncMonth("occurred_on"))
        .values("month", "method_id")
        .annotate(n=Count("id"))
        .order_by()
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
        through.order_by("contactlog__occurred_on", "contactlog__started_at", "contactlog_id")
        .values_list("activitytype_id", "contactlog__report_summary")
    )


def logs_per_day(office, period, hour_ranges) -> list[dict]:
    """Logs per day, with how many start within each of the given (opens, closes) ranges."""
    in_range = {
        f"within_{index}": Count(
            "id", filter=Q(started_at__isnull=True) | Q(started_at__gte=opens, started_at__lt=closes)
        )
        for index, (opens, closes) in enumerate(hour_ranges)
    }
    return list(_logs(office, period).values("occurred_on").annotate(total=Count("id"), **in_range).order_by())


def events(office, period) -> list[Event]:
    return list(Event.objects.for_office(office).in_period(period).order_by("held_on", "started_at", "id"))
