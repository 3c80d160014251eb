"""The access log for supervisors (their office) and the system admin (every office).

Reading it is itself recorded (アクセス記録の閲覧, audit/policy.py), and so is its export (書き出し,
with the number of rows). The raw rows (URLs, object ids, addresses, hashes) stay on the admin's
technical page, audit:event_list.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.access import office_of
from accounts.roles import Role
from audit.models import AccessEvent, Outcome
from coordination.access_log import selectors
from coordination.access_log.filters import AccessLogFilter
from coordination.access_log.targets import REFUSED_ACTIONS, TargetLabels, as_id
from coordination.exports import filtered_list_export

READERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
EXPORT_TITLE = "アクセス記録"
EXPORT_COLUMNS = (
    "日時",
    "利用者",
    "ユーザー名",
    "役割",
    "操作",
    "結果",
    "画面",
    "対象",
    "書き出した行数",
    "IP アドレス",
)


def may_read_access_log(user) -> bool:
    """Supervisors (their office's rows) and the system admin (every office's)."""
    return user.is_authenticated and user.role in READERS


def _reader(request):
    """(the viewer's office or None, whether every office is theirs); 403 for anyone else."""
    if not may_read_access_log(request.user):
        raise PermissionDenied("アクセス記録は管理者だけが見られます。")
    if request.user.is_superuser:
        return request.user.office, True
    return office_of(request), False


def _access_log_filter(request) -> AccessLogFilter:
    """The filters over the viewer's rows; 404 for a client of another office (as its page would be)."""
    office, all_offices = _reader(request)
    access_filter = AccessLogFilter(
        request.GET,
        queryset=selectors.access_events_for_log(),
        office=office,
        all_offices=all_offices,
        today=timezone.localdate(),
    )
    client = request.GET.get("client", "")
    if client.isascii() and client.isdigit():
        pk = as_id(client)
        if pk is None or not access_filter.filters["client"].queryset.filter(pk=pk).exists():
            raise Http404("その相談対象者は見つかりません。")
    return access_filter


class Row:
    """One row as the page and the export show it."""

    def __init__(self, event: AccessEvent, labels: TargetLabels, people: dict):
        self.event = event
        self.at = timezone.localtime(event.occurred_at)
        user = event.user or people.get(event.username)
        self.person = str(user) if user is not None else (event.username or "（不明）")
        self.username = event.username
        self.known = user is not None
        self.refused = event.outcome == Outcome.REFUSED or event.action in REFUSED_ACTIONS
        self.screen = labels.screen(event)
        self.target = labels.target(event)
        rows = event.object_ids.get("rows") if isinstance(event.object_ids, dict) else None
        self.rows = rows if isinstance(rows, int) else None


def access_rows(events, *, office) -> list[Row]:
    """Rows with their labels: a fixed number of queries whatever their number (one per kind of record)."""
    events = list(events)
    labels = TargetLabels(office=office)
    labels.load(events)
    people = selectors.people_by_username(events)
    return [Row(event, labels, people) for event in events]


@login_required
def access_log(request):
    """The office's access log, newest first, 100 a page, filtered by person, client, action, dates."""
    access_filter = _access_log_filter(request)
    access_filter.is_valid()
    page = Paginator(access_filter.qs, AccessLogFilter.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": access_filter,
        "page": page,
        "rows": access_rows(page.object_list, office=request.user.office),
        "all_offices": access_filter.all_offices,
    }
    return render(request, "audit/access_log.html", context)


@login_required
def access_log_export(request, file_format):
    """Every row the filters select (all pages) as .xlsx or .csv; recorded as an export with its row count."""
    access_filter = _access_log_filter(request)
    labels = TargetLabels(office=request.user.office)
    people: dict = {}

    def prepare(events):
        labels.load(events)
        people.update(selectors.people_by_username(events))

    def row(event):
        shown = Row(event, labels, people)
        return [
            shown.at.replace(microsecond=0, tzinfo=None),
            shown.person,
            shown.username,
            event.role,
            event.get_action_display(),
            event.get_outcome_display(),
            shown.screen,
            str(shown.target) if shown.target else "",
            shown.rows,
            event.ip_address,
        ]

    return filtered_list_export(
        request,
        file_format=file_format,
        list_filter=access_filter,
        list_url_name="access_log",
        title=EXPORT_TITLE,
        columns=EXPORT_COLUMNS,
        row=row,
        prepare=prepare,
    )
