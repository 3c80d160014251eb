"""The provider import: its kind, and the shared flow of `tabular.imports` bound to the directory."""
from tabular.imports import ImportKind, ImportReport, StagedUpload, template_dataset
from tabular.imports import run_import as _run_import
from tabular.imports import staged_upload as _staged_upload
from tabular.spreadsheets import Sheet

from .resources import ProviderResource

PROVIDERS = ImportKind("providers", "機関・事業所", ProviderResource, "取込ひな形_機関・事業所")
IMPORT_KINDS = {PROVIDERS.identifier: PROVIDERS}


def provider_template():
    """The template's header and example row (the procedure columns come from the database)."""
    return template_dataset(PROVIDERS, ProviderResource.example())


def run_import(*, user, sheet: Sheet, dry_run: bool) -> ImportReport:
    """Imports the sheet's providers, or with `dry_run` shows what it would do; all rows or none."""
    resource = ProviderResource(user=user, sheet=sheet)
    return _run_import(resource=resource, kind=PROVIDERS, sheet=sheet, dry_run=dry_run)


def staged_upload(session, token: str) -> StagedUpload | None:
    """The provider upload this session staged under the token, or None."""
    return _staged_upload(session, token, kinds=IMPORT_KINDS)
