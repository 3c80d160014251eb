"""Spreadsheet imports of clients and contact logs: the kinds, and the shared flow of
`tabular.imports` bound to an office (dry-run preview, all-or-nothing run, staged upload)."""
from tabular.imports import (
    ACTION_LABELS,
    ImportKind,
    ImportReport,
    RowOutcome,
    StagedUpload,
    discard_upload,
    import_dir,
    stage_upload,
    template_dataset,
)
from tabular.imports import run_import as _run_import
from tabular.imports import staged_upload as _staged_upload
from tabular.spreadsheets import Sheet

from .resources import ClientResource, ContactLogImportResource

__all__ = [
    "ACTION_LABELS", "IMPORT_KINDS", "ImportKind", "ImportReport", "RowOutcome", "StagedUpload", "discard_upload",
    "import_dir", "run_import", "stage_upload", "staged_upload", "template_dataset",
]

IMPORT_KINDS = {
    kind.identifier: kind
    for kind in [
        ImportKind("clients", "相談対象者", ClientResource, "取込ひな形_相談対象者"),
        ImportKind("logs", "相談・支援・活動記録", ContactLogImportResource, "取込ひな形_相談支援記録"),
    ]
}


def run_import(*, office, user, kind: ImportKind, sheet: Sheet, dry_run: bool) -> ImportReport:
    """Imports the sheet's rows into the office, or with `dry_run` shows what it would do; all rows or none."""
    resource = kind.resource_class(office=office, user=user, sheet=sheet)
    return _run_import(resource=resource, kind=kind, sheet=sheet, dry_run=dry_run)


def staged_upload(session, token: str) -> StagedUpload | None:
    """The client or log upload this session staged under the token, or None."""
    return _staged_upload(session, token, kinds=IMPORT_KINDS)
