"""Which requests the access log records: the one place that lists the audited URL names.

`AUDITED_VIEWS` maps a URL's view name (`namespace:name` for namespaced apps, as in
`request.resolver_match.view_name`) to the action recorded when the response succeeds (2xx).
On these URLs a 403 or 404 is recorded as `refused`; a 403 on any other URL is recorded as
`refused` too. Other requests (lists, forms, static files, redirects to sign-in) are not logged.
`tests/audit/test_recording.py` checks that every name here is a URL of the project.

Add a line here when a new page shows one person's data or a new download or export appears.
"""
from .models import Action

AUDITED_VIEWS: dict[str, str] = {
    # Pages showing one client, one contact log, one event.
    "client_detail": Action.VIEW,
    "log_detail": Action.VIEW,
    "event_detail": Action.VIEW,
    # The same data opened in Django admin (admins only).
    "admin:coordination_client_change": Action.VIEW,
    "admin:coordination_guardian_change": Action.VIEW,
    "admin:coordination_contactlog_change": Action.VIEW,
    "admin:coordination_event_change": Action.VIEW,
    # Downloads and exports of data.
    "reporting:download": Action.DOWNLOAD,
    "log_export": Action.EXPORT,
    "import_template": Action.DOWNLOAD,
    "directory:provider_import_template": Action.DOWNLOAD,
    "directory:provider_export": Action.EXPORT,
    "directory:provider_hsds_export": Action.EXPORT,
    # Imports (upload, preview, confirm, cancel).
    "import_start": Action.IMPORT,
    "import_preview": Action.IMPORT,
    "import_confirm": Action.IMPORT,
    "import_cancel": Action.IMPORT,
    "directory:provider_import": Action.IMPORT,
    "directory:provider_import_preview": Action.IMPORT,
    "directory:provider_import_confirm": Action.IMPORT,
    "directory:provider_import_cancel": Action.IMPORT,
    # Reading the access log itself.
    "audit:event_list": Action.READ_AUDIT_LOG,
}

# Resolver arguments that are secrets rather than object ids (an upload's random token).
HIDDEN_KWARGS = frozenset({"token"})
