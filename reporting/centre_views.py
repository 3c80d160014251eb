"""The centre page (センター職員): every office's figures for a period, their export, the finalized report files.

No page here names a client, shows a log or a person: counts per office and the finalized 業務報告書
files (which are anonymous by construction). Only `reporting.view_centre` opens them (the centre's
group; the system admin as superuser); the offices' roles get 403.
"""

import tablib
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from audit.services import access_log_note
from coordination.fiscal import FiscalPeriod, fiscal_year_label, fiscal_year_of
from tabular.spreadsheets import CONTENT_TYPES, export_cell, spreadsheet_response

from . import centre_selectors as selectors
from . import files
from .forms import PeriodForm
from .render import FORMATS, file_name
from .render.json import report_from_dict
from .views import file_answer

PERMISSION = "reporting.view_centre"
# The picker offers this year and the four before it, and any year with a finalized report.
YEARS_SHOWN = 5
PRELIMINARY = "速報"
COLUMNS = ("事業所", "区市町村", "実人数", "新規", "延べ", "個別支援", "地域支援", "時間外", "主な種別", "集計")


class CentrePeriodForm(PeriodForm):
    """The report page's picker without its prior-year box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["compare"]


def _period(request) -> tuple[CentrePeriodForm, FiscalPeriod]:
    today = timezone.localdate()
    default = FiscalPeriod.finished_by(today)
    current = fiscal_year_of(today)
    years = sorted(
        set(range(current, current - YEARS_SHOWN, -1))
        | set(selectors.finalized_fiscal_years())
        | {default.fiscal_year},
        reverse=True,
    )
    if "fiscal_year" not in request.GET:
        return CentrePeriodForm(initial=PeriodForm.initial_for(default), fiscal_years=years), default
    form = CentrePeriodForm(request.GET, fiscal_years=years)
    return form, form.period if form.is_valid() else default


def _query(period: FiscalPeriod) -> str:
    return f"fiscal_year={period.fiscal_year}&quarters={period.quarter_range}"


def _types_text(top_types) -> str:
    return "、".join(f"{label} {count}" for label, count in top_types)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def index(request):
    """One row per office, their sum, and every office's finalized reports of the fiscal year."""
    form, period = _period(request)
    table = selectors.centre_table(period)
    context = {
        "form": form,
        "period": period,
        "table": table,
        "total": table.total,
        "query": _query(period),
        "offices_versions": selectors.finalized_versions(period.fiscal_year),
        "formats": FORMATS.values(),
        "year_label": fiscal_year_label(period.fiscal_year),
        "top_count": selectors.TOP_TYPES,
    }
    return render(request, "reporting/centre.html", context)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def export(request, file_format):
    """The page's table as .xlsx or .csv (text that looks like a formula is escaped)."""
    if file_format not in CONTENT_TYPES:
        raise Http404("その形式には対応していません。")
    form, period = _period(request)
    if form.is_bound and not form.is_valid():
        raise Http404("年度と四半期を一覧から選んでください。")
    table = selectors.centre_table(period)
    dataset = tablib.Dataset(headers=list(COLUMNS), title="事業所別集計")
    for row in table.rows:
        values = [
            row.office.name,
            row.office.municipality,
            row.clients,
            row.new_clients,
            row.contacts,
            row.individual,
            row.community,
            row.out_of_hours,
            _types_text(row.top_types),
            PRELIMINARY if row.is_preliminary else f"確定 第{row.version.number}版",
        ]
        dataset.append([export_cell(value) for value in values])
    total = table.total
    dataset.append(
        [
            "合計",
            "",
            total["clients"],
            total["new_clients"],
            total["contacts"],
            total["individual"],
            total["community"],
            total["out_of_hours"],
            _types_text(total["top_types"]),
            PRELIMINARY if table.preliminary_count else "確定",
        ]
    )
    access_log_note(request, rows=len(table.rows))
    name = f"事業所別集計_{period.file_label}.{file_format}"
    return spreadsheet_response(dataset, file_format, filename=name)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def version_file(request, pk, format):
    """A finalized 業務報告書 of any office, byte for byte as it was frozen."""
    if format not in FORMATS:
        raise Http404("その形式には対応していません。")
    version = selectors.version_for_centre(pk)
    if version is None:
        raise Http404("その報告書はありません。")
    format_ = FORMATS[format]
    label = f"{version.report.period.file_label}_{version.report.office.name}_第{version.number}版"
    # A version finalized a moment ago may still have its PDF and Excel file in the worker's hands.
    content = version.file(format)
    spec = content or files.version_spec(version, format_, report_from_dict(version.data))
    result = files.download(spec, retry=request.GET.get("retry") == "1")
    return file_answer(request, result, format_, file_name(label, format_), reverse("centre:index"), polled=False)
