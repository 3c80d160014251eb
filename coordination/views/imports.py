"""Spreadsheet imports of clients and contact logs: templates, upload, dry-run preview, confirm or cancel."""
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tabular.imports import NOTHING_IMPORTED

from .. import imports
from accounts.access import office_of
from ..forms import ImportUploadForm
from ..spreadsheets import CONTENT_TYPES, UploadError, export_bytes, read_upload

# Importing adds and updates clients and adds logs: coordinators only, never supervisors or ward staff.
IMPORT_PERMISSIONS = ("coordination.add_client", "coordination.change_client", "coordination.add_contactlog")
PREVIEW_ROWS = 500
EXPIRED = "取り込みの準備の期限が切れたか、見つかりません。もう一度ファイルを選んでください。"



@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def import_start(request):
    """Choose what to import and upload the file; the templates to download."""
    office_of(request)
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        token = imports.stage_upload(
            request.session, kind=imports.IMPORT_KINDS[data["kind"]], name=data["name"],
            file_format=data["file_format"], content=data["content"],
        )
        return redirect("import_preview", token=token)
    return render(request, "coordination/imports/start.html", {"form": form, "kinds": imports.IMPORT_KINDS.values()})


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def import_template(request, kind, file_format):
    """The kind's header row and an example row, as .xlsx or .csv."""
    if kind not in imports.IMPORT_KINDS or file_format not in CONTENT_TYPES:
        raise Http404("そのひな形はありません。")
    import_kind = imports.IMPORT_KINDS[kind]
    content = export_bytes(imports.template_dataset(import_kind), file_format)
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=f"{import_kind.template_stem}.{file_format}",
        content_type=CONTENT_TYPES[file_format],
    )


def _staged(request, token):
    staged = imports.staged_upload(request.session, token)
    if staged is None:
        messages.error(request, EXPIRED)
    return staged


def _preview(request, staged, report, *, status=200):
    context = {
        "staged": staged,
        "report": report,
        "rows": report.rows[:PREVIEW_ROWS],
        "hidden_rows": max(0, len(report.rows) - PREVIEW_ROWS),
        "changes": report.counts["new"] + report.counts["update"],
    }
    return render(request, "coordination/imports/preview.html", context, status=status)


def _run(request, staged, *, dry_run):
    try:
        sheet = read_upload(staged.name, staged.content)
    except UploadError as error:
        report = imports.ImportReport(kind=staged.kind, file_errors=[str(error)])
    else:
        report = imports.run_import(
            office=office_of(request), user=request.user, kind=staged.kind, sheet=sheet, dry_run=dry_run
        )
    return report


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def import_preview(request, token):
    """What the import would do, row by row, with every error; nothing is saved yet."""
    staged = _staged(request, token)
    if staged is None:
        return redirect("import_start")
    return _preview(request, staged, _run(request, staged, dry_run=True))


@require_POST
@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def import_confirm(request, token):
    """Imports every row, or none if any row has an error."""
    staged = _staged(request, token)
    if staged is None:
        return redirect("import_start")
    report = _run(request, staged, dry_run=False)
    if report.has_errors:
        # The data changed since the preview (someone else's edit): show why, nothing was saved.
        messages.error(request, NOTHING_IMPORTED)
        return _preview(request, staged, report, status=422)
    imports.discard_upload(request.session, token)
    messages.success(request, f"{staged.kind.verbose_name}を取り込みました（{report.summary()}）。")
    return redirect("log_list" if staged.kind.identifier == "logs" else "client_list")


@require_POST
@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def import_cancel(request, token):
    """Drops the uploaded file without importing anything."""
    imports.discard_upload(request.session, token)
    messages.info(request, "取り込みをやめました。何も保存していません。")
    return redirect("import_start")
