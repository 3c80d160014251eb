"""build_centre_report(office, period): the centre's 受付状況 (reception statistics) as plain data.

The 医療的ケア児支援センター reports per period its 個別支援 and 地域支援 counts, the 相談の内容
（重複あり） by activity type and by counterpart category, 実人数, 新規 and 延べ, and the same by month.
The logs counted are the 業務報告書's (docs/counting-rules.md): the office's own contact logs dated
within the period; events are not counted here.

Seven queries whatever the number of logs or months: the month counts, the period's 実人数, the
新規 clients' first contacts, the (activity type, kind) pairs, the (counterpart category, kind)
pairs, and the two category trees.
"""

from django.db.models import Count, Min, Q
from django.db.models.functions import ExtractMonth

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ActivityType, ContactLog, Counterpart, SupportKind
from coordination.logs.selectors import new_client_ids
from directory.models import CounterpartCategory

from .tables import Report, Row, Section, other_kind_report

TITLE = "受付状況"
KINDS = tuple(SupportKind.values)  # the columns of §2, §3 and §5: individual, community
KIND_HEADINGS = tuple(SupportKind.labels)  # 個別支援, 地域支援
FOOTNOTES = (
    "件数は期間内の相談・支援・活動記録の数（イベントは含まない）",
    "相談の内容・相談の相手先は重複あり：1件の記録に種別や相手先が複数あれば、それぞれに数える",
    "実人数は期間内に記録のある相談対象者の数、延べは相談対象者のいる記録の数",
    "新規は、事業所での最初の記録（取り込んだ過去の記録を含む）が期間内にある相談対象者",
    "月別の実人数はその月の実人数で、その合計は期間の実人数（4.）と一致しない",
)


# --- the queries -------------------------------------------------------------------------------------


def _logs(office, period):
    return ContactLog.objects.for_office(office).in_period(period)


def _month_rows(office, period) -> list[dict]:
    """Per month of the period: logs of each kind, distinct clients (実人数) and logs with a client (延べ).

    A fiscal period lies within one April–March, so the month number names its month; a date field
    needs no time zone (ExtractMonth of a DateField is the same on SQLite and PostgreSQL).
    """
    kinds = {kind: Count("id", filter=Q(support_kind=kind)) for kind in KINDS}
    return list(
        _logs(office, period)
        .annotate(month=ExtractMonth("occurred_on"))
        .values("month")
        .annotate(**kinds, clients=Count("client", distinct=True), contacts=Count("client"))
        .order_by()
    )


def _period_clients(office, period) -> int:
    """実人数 of the whole period: distinct clients with a log in it (not the sum of the months)."""
    return _logs(office, period).aggregate(n=Count("client", distinct=True))["n"]


def _new_client_first_months(office, period) -> list[int]:
    """The month of each 新規 client's first contact (new_client_ids is the rule; one query)."""
    rows = (
        ContactLog.objects.for_office(office)
        .filter(client__in=new_client_ids(office, period.start, period.end))
        .values("client")
        .annotate(first_contact_on=Min("occurred_on"))
        .values_list("first_contact_on", flat=True)
        .order_by()
    )
    return [day.month for day in rows]


def _by_kind(rows) -> dict[int, dict[str, int]]:
    """{node id: {kind: count}} from (node id, kind, count) rows."""
    counts: dict[int, dict[str, int]] = {}
    for node_id, kind, n in rows:
        counts.setdefault(node_id, dict.fromkeys(KINDS, 0))[kind] = n
    return counts


def _activity_types_by_kind(office, period) -> dict[int, dict[str, int]]:
    """(log, activity type) pairs per type and kind: a log with two types counts under both."""
    through = ContactLog.activity_types.through.objects.filter(contactlog__in=_logs(office, period))
    rows = through.values_list("activitytype_id", "contactlog__support_kind").annotate(n=Count("id")).order_by()
    return _by_kind(rows)


def _counterparts_by_kind(office, period) -> dict[int, dict[str, int]]:
    """Counterparts per category and kind, each counted as in the 業務報告書's §3."""
    counterparts = Counterpart.objects.filter(contact_log__in=_logs(office, period))
    rows = counterparts.values_list("category_id", "contact_log__support_kind").annotate(n=Count("id")).order_by()
    return _by_kind(rows)


# --- the report --------------------------------------------------------------------------------------


def _by_kind_tree(number, title, model, counts) -> Section:
    zero = dict.fromkeys(KINDS, 0)
    rows = tuple(
        Row(path=path, values=dict(counts.get(node.pk, zero)), key=node.code)
        for node, path in model.objects.leaf_paths()
    )
    return Section(number, title, KINDS, rows, headings=KIND_HEADINGS)


def build_centre_report(office: Office, period: FiscalPeriod) -> Report:
    """The 受付状況 of an office for a fiscal period (a quarter, several, or the whole year)."""
    months = _month_rows(office, period)
    by_month = {row["month"]: row for row in months}
    kind_totals = {kind: sum(row[kind] for row in months) for kind in KINDS}
    contacts = sum(row["contacts"] for row in months)
    clients = _period_clients(office, period)
    first_months = _new_client_first_months(office, period)
    new = len(first_months)

    section_kinds = Section(
        1,
        "支援の種類",
        ("count",),
        tuple(
            Row(path=(label,), values={"count": kind_totals[kind]}, key=kind)
            for kind, label in zip(KINDS, KIND_HEADINGS, strict=True)
        ),
        headings=("件数",),
    )
    section_activities = _by_kind_tree(
        2, "相談の内容（重複あり）", ActivityType, _activity_types_by_kind(office, period)
    )
    section_counterparts = _by_kind_tree(
        3, "相談の相手先（重複あり）", CounterpartCategory, _counterparts_by_kind(office, period)
    )
    # One row: 実人数, 新規 and 延べ do not add up, so they are columns (the 合計 row repeats them).
    section_people = Section(
        4,
        "実人数・新規・延べ",
        ("clients", "new", "contacts"),
        (Row(path=("相談対象者",), values={"clients": clients, "new": new, "contacts": contacts}, key="clients"),),
        headings=("実人数", "新規", "延べ"),
    )
    zero = dict.fromkeys((*KINDS, "clients"), 0)
    section_months = Section(
        5,
        "月別",
        (*KINDS, "clients", "new"),
        tuple(
            Row(
                path=(f"{day.month}月",),
                values={
                    **{key: by_month.get(day.month, zero)[key] for key in (*KINDS, "clients")},
                    "new": first_months.count(day.month),
                },
                key=f"month-{day.month:02d}",
            )
            for day in period.months()
        ),
        headings=(*KIND_HEADINGS, "実人数", "新規"),
    )
    return other_kind_report(
        "centre",
        TITLE,
        office.name,
        period,
        sections=(section_kinds, section_activities, section_counterparts, section_people, section_months),
        event_sections=(),
        footnotes=FOOTNOTES,
        summary=(
            f"{period.label}（{period.date_range_label}）",
            f"個別支援 {kind_totals[SupportKind.INDIVIDUAL]}件・地域支援 {kind_totals[SupportKind.COMMUNITY]}件"
            f"（計 {sum(kind_totals.values())}件）",
            f"実人数 {clients}人（うち新規 {new}人）・延べ {contacts}件",
        ),
    )
