import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import office_of
from coordination.fiscal import FiscalPeriod
from tabular.history import SHOW_ALL, limit_for

from . import files, selectors, services
from .files import FileSpec, NoSuchVersion
from .forms import PeriodForm, ReportTextsForm
from .history import report_history
from .kinds import KINDS, QUARTERLY, ReportKind
from .quarterly import build_quarterly_report
from .render import FORMATS, Format, file_name
from .render import html as html_renderer


def _period(request, office, data) -> tuple[PeriodForm, FiscalPeriod, bool]:
    """The picked period from `data`, or the default (this fiscal year up to the last finished quarter)."""
    today = timezone.localdate()
    default = FiscalPeriod.finished_by(today)
    years = selectors.fiscal_years(office, today)
    if default.fiscal_year not in years:
        years.append(default.fiscal_year)
    if "fiscal_year" not in data:
        form = PeriodForm(initial=PeriodForm.initial_for(default), fiscal_years=years)
        return form, default, False
    form = PeriodForm(data, fiscal_years=years)
    if not form.is_valid():
        return form, default, False
    return form, form.period, form.cleaned_data["compare"]


def _query(period: FiscalPeriod, **extra) -> str:
    params = {"fiscal_year": period.fiscal_year, "quarters": period.quarter_range, **extra}
    return "&".join(f"{key}={value}" for key, value in params.items())


def _file_request(request, office, format: str) -> tuple[Format, FiscalPeriod, bool]:
    """A download's format and the period it names (404 for an unknown format or no valid period)."""
    if format not in FORMATS:
        raise Http404("その形式には対応していません。")
    form, period, compare = _period(request, office, request.GET)
    if not form.is_bound or not form.is_valid():
        raise Http404("年度と四半期を指定してください。")
    return FORMATS[format], period, compare


def _page_url(period: FiscalPeriod) -> str:
    return f"{reverse('reporting:quarterly')}?{_query(period)}"


@login_required
@permission_required("reporting.view_quarterlyreport", raise_exception=True)
def quarterly(request):
    """The report on screen: the picker, the draft or the standing finalized version, and downloads."""
    office = office_of(request)
    form, period, compare = _period(request, office, request.GET)
    state = selectors.report_state(office, period)
    previous = build_quarterly_report(office, period.previous_year()) if compare else None
    changed_logs, changed_events, gone, settings_changes = [], [], [], []
    if state.latest is not None:
        since = state.latest.finalized_at
        changed_logs, changed_events = selectors.changed_since(office, period, since)
        settings_changes = selectors.settings_changed_since(office, period, since)
        gone = selectors.gone_since(office, period, since, changed_logs=changed_logs, changed_events=changed_events)
    context = {
        "kinds": report_kinds(request.user),
        "form": form,
        "period": period,
        "state": state,
        "body": html_renderer.body(state.report, previous),
        "formats": FORMATS.values(),
        "query": _query(period),
        "compare_query": _query(period, compare="on") if compare else _query(period),
        "charts": request.GET.get("charts") == "on",
        "changed_logs": changed_logs,
        "changed_events": changed_events,
        "gone": gone,
        "changed_count": len(changed_logs) + len(changed_events) + len(gone),
        "settings_changes": settings_changes,
        "history": report_history(state.record, state.report, limit=limit_for(request)),
        "history_all_url": f"?{_query(period)}&history={SHOW_ALL}#history-heading",
        "can_finalize": request.user.has_perm("reporting.finalize_quarterlyreport"),
        "can_edit": request.user.has_perm("reporting.change_quarterlyreport"),
        "period_finished": period.end < timezone.localdate(),
    }
    return render(request, "reporting/quarterly.html", context)


def file_answer(request, result: files.FileResult, format_: Format, name: str, back_url: str, *, polled=True):
    """The file when it is made; else the small page that says 作成中 (or that making it failed), whose
    script asks `reporting:file_status` when `polled` (the user may open it) and a reload works anyway."""
    if result.content is not None:
        return FileResponse(
            io.BytesIO(result.content), as_attachment=True, filename=name, content_type=format_.content_type
        )
    file = result.file
    state = files.status(file)
    retry_url = request.GET.copy()
    retry_url["retry"] = "1"
    context = {
        "name": name,
        "format": format_,
        "state": state,
        "download_url": f"{request.path}?{_without_retry(request)}",
        "retry_url": f"{request.path}?{retry_url.urlencode()}",
        "status_url": reverse("reporting:file_status", args=[file.pk]) if polled else "",
        "back_url": back_url,
    }
    # 202 Accepted while the worker makes it: a script or a test tells it from the file itself.
    return render(request, "reporting/file_pending.html", context, status=202 if state == "pending" else 200)


def _without_retry(request) -> str:
    query = request.GET.copy()
    query.pop("retry", None)
    return query.urlencode()


@login_required
@permission_required("reporting.view_quarterlyreport", raise_exception=True)
def download(request, format):
    """A file of the report: a finalized version byte for byte, else the draft's file made from its data
    (the PDF and Excel by the background worker: the page says 作成中 until it is made)."""
    office = office_of(request)
    format_, period, compare = _file_request(request, office, format)
    number = request.GET.get("version", "")
    # A version is a small number: other digits (２, ²) or thousands of them, which int() refuses, name none.
    version_number = int(number) if number.isascii() and number.isdigit() and len(number) <= 5 else None
    try:
        spec = files.draft_spec(
            office,
            period,
            format,
            version_number=version_number,
            compare=compare,
            charts=request.GET.get("charts") == "on",
        )
    except NoSuchVersion:
        raise Http404("その版の報告書はありません。") from None
    result = files.download(spec, retry=request.GET.get("retry") == "1")
    return file_answer(request, result, format_, file_name(period.file_label, format_), _page_url(period))


@login_required
@permission_required("reporting.view_quarterlyreport", raise_exception=True)
def file_status(request, pk):
    """Whether a file the worker makes is ready, for the 作成中 page's script: {"state": …}."""
    file = selectors.report_file_of(office_of(request), pk)
    if file is None:
        raise Http404("そのファイルはありません。")
    kind = KINDS.get(file.kind)
    if kind is None or not request.user.has_perm(kind.permission):
        raise PermissionDenied
    return JsonResponse({"state": files.status(file)})


@login_required
@permission_required("reporting.change_quarterlyreport", raise_exception=True)
def edit_texts(request):
    """The draft's editable texts: the schedule line and the §3, §4 and §5 texts."""
    office = office_of(request)
    form, period, _ = _period(request, office, request.GET)
    if not form.is_bound or not form.is_valid():
        return redirect("reporting:quarterly")
    state = selectors.report_state(office, period)
    if state.is_final:
        messages.error(request, services.ALREADY_FINAL)
        return redirect(_page_url(period))
    seen = state.record.edit_token if state.record is not None else ""
    texts_form = ReportTextsForm(request.POST or None, report=state.report, seen=seen)
    if request.method == "POST" and texts_form.is_valid():
        try:
            services.report_texts_update(
                office=office,
                period=period,
                user=request.user,
                schedule=texts_form.cleaned_data["schedule"],
                texts=texts_form.texts(),
                seen=texts_form.cleaned_data["seen"],
            )
        except services.TextsConflict as conflict:
            # The editor's input stays on the page; saving again now saves it over the newer draft.
            data = request.POST.copy()
            data["seen"] = seen
            texts_form = ReportTextsForm(data, report=state.report, seen=seen)
            texts_form.is_valid()
            texts_form.add_error(None, conflict)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_page_url(period))
        else:
            messages.success(request, "下書きの文章を保存しました。")
            return redirect(_page_url(period))
    return render(request, "reporting/edit_texts.html", {"form": texts_form, "period": period, "query": _query(period)})


def _post_action(request, action, success):
    office = office_of(request)
    form, period, _ = _period(request, office, request.GET)
    if not form.is_bound or not form.is_valid():
        raise Http404("年度と四半期を指定してください。")
    try:
        action(office=office, period=period, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(_page_url(period))


@require_POST
@login_required
@permission_required("reporting.finalize_quarterlyreport", raise_exception=True)
def finalize(request):
    """Freezes the draft as a new finalized version."""
    return _post_action(request, services.report_finalize, "報告書を確定しました。確定した版はこのまま保存されます。")


@require_POST
@login_required
@permission_required("reporting.finalize_quarterlyreport", raise_exception=True)
def open_draft(request):
    """Starts a new draft that will supersede the finalized version."""
    return _post_action(
        request, services.report_draft_open, "新しい下書きを作成しました。確定すると新しい版になります。"
    )


def _other_kind(request, identifier: str) -> ReportKind:
    """A report kind other than the 業務報告書 (which has its own pages), if the user may see it."""
    kind = KINDS.get(identifier)
    if kind is None or kind.identifier == QUARTERLY:
        raise Http404("その種類の報告書はありません。")
    if not request.user.has_perm(kind.permission):
        raise PermissionDenied
    return kind


def report_kinds(user) -> list[ReportKind]:
    """The kinds of report the user may open, for the tabs atop the report pages."""
    return [kind for kind in KINDS.values() if user.has_perm(kind.permission)]


@login_required
def kind_page(request, kind):
    """A report of another kind on screen: the picker, the report computed now, and downloads."""
    kind = _other_kind(request, kind)
    office = office_of(request)
    form, period, compare = _period(request, office, request.GET)
    report = kind.build(office, period)
    previous = kind.build(office, period.previous_year()) if compare else None
    context = {
        "kind": kind,
        "kinds": report_kinds(request.user),
        "form": form,
        "period": period,
        "body": html_renderer.body(report, previous),
        "formats": FORMATS.values(),
        "query": _query(period),
        "compare_query": _query(period, compare="on") if compare else _query(period),
    }
    return render(request, "reporting/kind.html", context)


@login_required
def kind_download(request, kind, format):
    """A file of a report of another kind, made from the data now (these kinds are not finalized); the
    PDF and Excel by the background worker, kept under their data like the 業務報告書's."""
    kind = _other_kind(request, kind)
    office = office_of(request)
    format_, period, compare = _file_request(request, office, format)
    report = kind.build(office, period)
    previous = kind.build(office, period.previous_year()) if compare and format_.takes_previous else None
    spec = FileSpec(office, kind.identifier, period, format_, report, previous)
    result = files.download(spec, retry=request.GET.get("retry") == "1")
    back_url = f"{reverse('reporting:kind', args=[kind.identifier])}?{_query(period)}"
    return file_answer(request, result, format_, kind.file_name(period.file_label, format_.extension), back_url)
