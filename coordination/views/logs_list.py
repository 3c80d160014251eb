"""The list of contact logs: filters, sort, pages, and the export of what it shows."""
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tabular.spreadsheets import CONTENT_TYPES, export_bytes

from .. import selectors
from accounts.access import office_of
from ..filters import ContactLogFilter
from ..fiscal import fiscal_year_of
from ..resources import IMPORT_PERMISSIONS, ContactLogResource

EXPORT_TITLE = "相談支援記録"
FISCAL_YEARS_OFFERED = 6
# The filters always in sight; the others fold away until used.
MAIN_FILTERS = ("date_from", "date_to", "quarter", "q")
MORE_FILTERS = ("coordinator", "client", "method", "activity_type", "counterpart_category", "provider")



def _log_filter(request, office) -> ContactLogFilter:
    # This fiscal year and five before (older logs are still found by dates): no query for the choices.
    this_year = fiscal_year_of(timezone.localdate())
    return ContactLogFilter(
        request.GET,
        queryset=selectors.contact_logs_for_list(office),
        office=office,
        fiscal_years=list(range(this_year, this_year - FISCAL_YEARS_OFFERED, -1)),
    )


@login_required
@permission_required("coordination.view_contactlog", raise_exception=True)
def log_list(request):
    """The office's contact logs, filtered and sorted, 50 (or 100, 200) a page."""
    log_filter = _log_filter(request, office_of(request))
    log_filter.is_valid()
    paginator = Paginator(log_filter.qs, log_filter.page_size)
    page = paginator.get_page(request.GET.get("page"))
    form = log_filter.form
    context = {
        "filter": log_filter,
        "main_fields": [form[name] for name in MAIN_FILTERS],
        "more_fields": [form[name] for name in MORE_FILTERS],
        "order_fields": [form["sort"], form["per_page"]],
        "more_filters_used": any(request.GET.get(name) for name in MORE_FILTERS),
        "page": page,
        "can_add": request.user.has_perm("coordination.add_contactlog"),
        "can_import": request.user.has_perms(IMPORT_PERMISSIONS),
    }
    return render(request, "coordination/logs/list.html", context)


@login_required
@permission_required("coordination.view_contactlog", raise_exception=True)
def log_export(request, file_format):
    """Every log the list's filters select (all pages, in the list's order) as .xlsx or .csv."""
    if file_format not in CONTENT_TYPES:
        raise Http404("その形式には対応していません。")
    log_filter = _log_filter(request, office_of(request))
    if not log_filter.is_valid():
        messages.error(request, "絞り込みの条件に誤りがあるため、書き出せませんでした。条件を直してください。")
        return redirect(f"{reverse('log_list')}?{request.GET.urlencode()}")
    logs = log_filter.qs
    dataset = ContactLogResource().export(queryset=logs)
    dataset.title = EXPORT_TITLE
    return FileResponse(
        io.BytesIO(export_bytes(dataset, file_format)),
        as_attachment=True,
        filename=_file_name(log_filter, logs, file_format),
        content_type=CONTENT_TYPES[file_format],
    )


def _file_name(log_filter: ContactLogFilter, logs, file_format: str) -> str:
    """`相談支援記録_2025-04-01_2025-06-30.xlsx`: the filtered period, else the logs' own first and last day."""
    start, end = log_filter.period
    if start is None or end is None:
        bounds = logs.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
        start, end = start or bounds["first"], end or bounds["last"]
    if start is None or end is None:
        return f"{EXPORT_TITLE}.{file_format}"
    return f"{EXPORT_TITLE}_{start:%Y-%m-%d}_{end:%Y-%m-%d}.{file_format}"
