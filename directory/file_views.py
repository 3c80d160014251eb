"""The directory as files: the provider import (template, upload, dry-run preview, confirm or
cancel), the spreadsheet export of the list, and the HSDS data package."""
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tabular.forms import SpreadsheetUploadForm
from tabular.imports import NOTHING_IMPORTED, ImportReport, discard_upload, stage_upload
from tabular.spreadsheets import CONTENT_TYPES, UploadError, export_bytes, read_upload

from . import hsds, imports, selectors
from .filters import ProviderFilter
from .resources import ProviderResource
from .views import INTERNAL_NOTE_PERMISSION

# Importing adds and changes providers: coordinators only, never supervisors or ward staff.
IMPORT_PERMISSIONS = ("directory.add_provider", "directory.change_provider")
PREVIEW_ROWS = 500
EXPIRED = "取り込みの準備の期限が切れたか、見つかりません。もう一度ファイルを選んでください。"


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def provider_import(request):
    """Upload a provider spreadsheet; the template to download."""
    posted = request.method == "POST"
    form = SpreadsheetUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        token = stage_upload(
            request.session, kind=imports.PROVIDERS, name=data["name"], file_format=data["file_format"],
            content=data["content"],
        )
        return redirect("directory:provider_import_preview", token=token)
    return render(request, "directory/import_start.html", {"form": form})


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def provider_import_template(request, file_format):
    """The header row and an example row, as .xlsx or .csv."""
    if file_format not in CONTENT_TYPES:
        raise Http404("そのひな形はありません。")
    content = export_bytes(imports.provider_template(), file_format)
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=f"{imports.PROVIDERS.template_stem}.{file_format}",
        content_type=CONTENT_TYPES[file_format],
    )


def _staged(request, token):
    staged = imports.staged_upload(request.session, token)
    if staged is None:
        messages.error(request, EXPIRED)
    return staged


def _run(request, staged, *, dry_run) -> ImportReport:
    try:
        sheet = read_upload(staged.name, staged.content)
    except UploadError as error:
        return ImportReport(kind=staged.kind, file_errors=[str(error)])
    return imports.run_import(user=request.user, sheet=sheet, dry_run=dry_run)


def _preview(request, staged, report, *, status=200):
    context = {
        "staged": staged,
        "report": report,
        "rows": report.rows[:PREVIEW_ROWS],
        "hidden_rows": max(0, len(report.rows) - PREVIEW_ROWS),
        "changes": report.counts["new"] + report.counts["update"],
        "confirm_url": reverse("directory:provider_import_confirm", args=[staged.token]),
        "cancel_url": reverse("directory:provider_import_cancel", args=[staged.token]),
    }
    return render(request, "directory/import_preview.html", context, status=status)


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def provider_import_preview(request, token):
    """What the import would do, row by row, with every error; nothing is saved yet."""
    staged = _staged(request, token)
    if staged is None:
        return redirect("directory:provider_import")
    return _preview(request, staged, _run(request, staged, dry_run=True))


@require_POST
@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def provider_import_confirm(request, token):
    """Imports every row, or none if any row has an error."""
    staged = _staged(request, token)
    if staged is None:
        return redirect("directory:provider_import")
    report = _run(request, staged, dry_run=False)
    if report.has_errors:
        # The directory changed since the preview (someone else's edit): show why; nothing was saved.
        messages.error(request, NOTHING_IMPORTED)
        return _preview(request, staged, report, status=422)
    discard_upload(request.session, token)
    messages.success(request, f"機関・事業所を取り込みました（{report.summary()}）。")
    return redirect("directory:provider_list")


@require_POST
@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def provider_import_cancel(request, token):
    """Drops the uploaded file without importing anything."""
    if imports.staged_upload(request.session, token) is not None:
        discard_upload(request.session, token)
    messages.info(request, "取り込みをやめました。何も保存していません。")
    return redirect("directory:provider_import")


@login_required
@permission_required("directory.view_provider", raise_exception=True)
def provider_export(request, file_format):
    """Every provider the list's search and filters select (all pages), as .xlsx or .csv.

    The internal note column is there only for people who may read internal notes.
    """
    if file_format not in CONTENT_TYPES:
        raise Http404("その形式では書き出せません。")
    today = timezone.localdate()
    provider_filter = ProviderFilter(request.GET, queryset=selectors.providers_for_export(today=today), today=today)
    provider_filter.is_valid()
    resource = ProviderResource(include_internal_note=request.user.has_perm(INTERNAL_NOTE_PERMISSION))
    dataset = resource.export(provider_filter.qs)
    dataset.title = "機関・事業所"
    return FileResponse(
        io.BytesIO(export_bytes(dataset, file_format)), as_attachment=True,
        filename=f"機関・事業所_{today:%Y%m%d}.{file_format}", content_type=CONTENT_TYPES[file_format],
    )


@login_required
@permission_required("directory.view_provider", raise_exception=True)
def provider_hsds_export(request):
    """The whole directory (active providers) as an Open Referral HSDS data package in a zip."""
    content = hsds.package_zip(hsds.directory_package())
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=f"hsds_{timezone.localdate():%Y%m%d}.zip",
        content_type="application/zip",
    )
