"""The directory as files: the spreadsheet export of the list and the HSDS data package (the
provider import runs through tabular's import screens, see `resources.PROVIDER_IMPORT`)."""

import io

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.utils import timezone

from audit.services import access_log_note
from tabular.spreadsheets import CONTENT_TYPES, spreadsheet_response

from . import hsds, selectors
from .filters import ProviderFilter
from .resources import ProviderResource
from .views import INTERNAL_NOTE_PERMISSION


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
    access_log_note(request, rows=len(dataset))
    return spreadsheet_response(dataset, file_format, filename=f"機関・事業所_{today:%Y%m%d}.{file_format}")


@login_required
@permission_required("directory.view_provider", raise_exception=True)
def provider_hsds_export(request):
    """The whole directory (active providers) as an Open Referral HSDS data package in a zip."""
    content = hsds.package_zip(hsds.directory_package())
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"hsds_{timezone.localdate():%Y%m%d}.zip",
        content_type="application/zip",
    )
