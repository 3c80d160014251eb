"""The import screens every kind shares: upload, the templates to download, the dry-run preview
with every error by row and column, then confirm (all rows or none) or cancel.

The kind comes from `tabular.imports.KINDS` (each app registers its own) and says who may use it,
how to build the resource for the request and where a confirmed import goes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .forms import SpreadsheetUploadForm
from .imports import (
    KINDS,
    NOTHING_IMPORTED,
    ImportKind,
    ImportReport,
    discard_upload,
    kinds_for,
    run_import,
    stage_upload,
    staged_upload,
    template_dataset,
)
from .spreadsheets import CONTENT_TYPES, UploadError, read_upload, spreadsheet_response

PREVIEW_ROWS = 500
EXPIRED = "取り込みの準備の期限が切れたか、見つかりません。もう一度ファイルを選んでください。"


def _kind_for_user(request, identifier: str) -> ImportKind:
    """The kind named in the URL: 404 if there is none, 403 if the user may not use it."""
    kind = KINDS.get(identifier)
    if kind is None:
        raise Http404("その取り込みはありません。")
    if not kind.may_be_used_by(request.user):
        raise PermissionDenied
    return kind


@login_required
def import_start(request):
    """Choose what to import and upload the file; the templates to download.

    Offers every kind the user may import; `?kind=` picks one beforehand (the links from a list).
    """
    kinds = kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    posted = request.method == "POST"
    form = SpreadsheetUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        kinds=kinds,
        initial={"kind": request.GET.get("kind")},
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        kind = KINDS[data["kind"]]
        token = stage_upload(
            request.session, kind=kind, name=data["name"], file_format=data["file_format"], content=data["content"]
        )
        return redirect("imports:preview", kind=kind.identifier, token=token)
    return render(request, "tabular/import_start.html", {"form": form, "kinds": kinds})


@login_required
def import_template(request, kind, file_format):
    """The kind's header row and an example row, as .xlsx or .csv."""
    import_kind = _kind_for_user(request, kind)
    if file_format not in CONTENT_TYPES:
        raise Http404("そのひな形はありません。")
    return spreadsheet_response(
        template_dataset(import_kind), file_format, filename=f"{import_kind.template_stem}.{file_format}"
    )


def _staged(request, kind: ImportKind, token: str):
    """The upload of this kind that this session staged under the token; None with a message if not."""
    staged = staged_upload(request.session, token, kinds={kind.identifier: kind})
    if staged is None:
        messages.error(request, EXPIRED)
    return staged


def _run(request, staged, *, dry_run) -> ImportReport:
    try:
        sheet = read_upload(staged.name, staged.content)
    except UploadError as error:
        return ImportReport(kind=staged.kind, file_errors=[str(error)])
    resource = staged.kind.make_resource(request, sheet)
    return run_import(resource=resource, kind=staged.kind, sheet=sheet, dry_run=dry_run)


def _preview(request, staged, report, *, status=200):
    context = {
        "staged": staged,
        "report": report,
        "rows": report.rows[:PREVIEW_ROWS],
        "hidden_rows": max(0, len(report.rows) - PREVIEW_ROWS),
        "changes": report.counts["new"] + report.counts["update"],
    }
    return render(request, "tabular/import_preview.html", context, status=status)


@login_required
def import_preview(request, kind, token):
    """What the import would do, row by row, with every error; nothing is saved yet."""
    staged = _staged(request, _kind_for_user(request, kind), token)
    if staged is None:
        return redirect("imports:start")
    return _preview(request, staged, _run(request, staged, dry_run=True))


@require_POST
@login_required
def import_confirm(request, kind, token):
    """Imports every row, or none if any row has an error."""
    staged = _staged(request, _kind_for_user(request, kind), token)
    if staged is None:
        return redirect("imports:start")
    report = _run(request, staged, dry_run=False)
    if report.has_errors:
        # The data changed since the preview (someone else's edit): show why; nothing was saved.
        messages.error(request, NOTHING_IMPORTED)
        return _preview(request, staged, report, status=422)
    discard_upload(request.session, token)
    messages.success(request, f"{staged.kind.verbose_name}を取り込みました（{report.summary()}）。")
    return redirect(staged.kind.list_url)


@require_POST
@login_required
def import_cancel(request, kind, token):
    """Drops the uploaded file without importing anything."""
    import_kind = _kind_for_user(request, kind)
    # Only an upload of this kind: another screen's token is left alone.
    if staged_upload(request.session, token, kinds={import_kind.identifier: import_kind}) is not None:
        discard_upload(request.session, token)
    messages.info(request, "取り込みをやめました。何も保存していません。")
    # Back to the upload page with the same kind chosen, to pick the corrected file.
    return redirect(f"{reverse('imports:start')}?kind={import_kind.identifier}")
