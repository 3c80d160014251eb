"""Which requests the access log records: the one place that lists the audited URL names.

`AUDITED_VIEWS` maps a URL's view name (`namespace:name` for namespaced apps, as in
`request.resolver_match.view_name`) to the action recorded when the response succeeds (2xx);
and `AUDITED_FORMS` the sign-in forms whose POSTs are recorded. `audited_action()` answers for a name.
On audited URLs a 403 or 404 is recorded as `refused`; a 403 on any other URL is recorded as
`refused` too. A list opened with a filter or a search is recorded as `search`, without one as
`list`. Other requests (the directory's pages, forms without personal data, static files,
redirects to sign-in) are not logged. Every request is recorded once at most.
The policy names URLs only: the audit app imports nothing of ours.
`tests/audit/test_recording.py` checks that every name here is a URL of the project.

Add a line here when a new page shows one person's data or a new download or export appears.
"""

from .models import Action

AUDITED_VIEWS: dict[str, str] = {
    # Pages showing one client, one contact log, one event; their edit pages show the whole record too.
    "client_detail": Action.VIEW,
    "log_detail": Action.VIEW,
    "event_detail": Action.VIEW,
    "client_update": Action.VIEW,
    "log_update": Action.VIEW,
    "event_update": Action.VIEW,
    # A client's consents: the form names the client, the withdrawal shows the consent and its referrals.
    "consent_create": Action.VIEW,
    "consent_withdraw": Action.VIEW,
    # A referral's page, its edit and move forms and the override form show the client and what is shared.
    "referral_detail": Action.VIEW,
    "referral_update": Action.VIEW,
    "referral_move": Action.VIEW,
    "referral_override": Action.VIEW,
    "follow_up_update": Action.VIEW,
    # A need's page and forms list the logs it was found in; recording one from a log shows that log.
    "need_detail": Action.VIEW,
    "need_update": Action.VIEW,
    "need_from_log": Action.VIEW,
    # New ones filled in from a client (`?client=`): the form shows the client's name and care.
    "referral_create": Action.VIEW,
    "follow_up_create": Action.VIEW,
    # Lists of personal data (`search` when filtered), and the pickers' searches as the user types.
    "client_list": Action.LIST,
    "client_power_list": Action.LIST,
    "log_list": Action.LIST,
    "event_list": Action.LIST,
    "referral_list": Action.LIST,
    "follow_up_list": Action.LIST,
    "need_list": Action.LIST,
    "client_lookup": Action.SEARCH,
    "provider_lookup": Action.SEARCH,
    # Downloads and exports of data.
    "reporting:download": Action.DOWNLOAD,
    # The centre's table of every office (counts only) and any office's finalized report.
    "centre:export": Action.EXPORT,
    "centre:version_file": Action.DOWNLOAD,
    "reporting:kind_download": Action.DOWNLOAD,
    "log_export": Action.EXPORT,
    "referral_export": Action.EXPORT,
    "follow_up_export": Action.EXPORT,
    "need_export": Action.EXPORT,
    "imports:template": Action.DOWNLOAD,
    "directory:provider_export": Action.EXPORT,
    "directory:provider_hsds_export": Action.EXPORT,
    # An import's preview shows the uploaded rows (the upload, confirmation and cancelling are forms below).
    "imports:preview": Action.IMPORT,
    # 管理 ▸ 利用者: the staff of an office, with their sign-in state (names, e-mail addresses).
    "office_settings:user_list": Action.LIST,
    "office_settings:user_detail": Action.VIEW,
    "office_settings:user_update": Action.VIEW,
    # Reading the access log itself: the office's screen and its export, the admin's technical screen, Django admin.
    "audit:event_list": Action.READ_AUDIT_LOG,
    "access_log": Action.READ_AUDIT_LOG,
    "access_log_export": Action.EXPORT,
    "admin:audit_accessevent_changelist": Action.READ_AUDIT_LOG,
    "admin:audit_accessevent_change": Action.READ_AUDIT_LOG,
    # Django admin's search-as-you-type for a foreign key returns names (e.g. of clients).
    "admin:autocomplete": Action.VIEW,
}

# Forms whose every POST is recorded: a redirect answers an accepted form, the page shown again a
# refused one (a wrong or reused two-factor code). (accepted, refused) actions by URL name.
AUDITED_FORMS: dict[str, tuple[str, str]] = {
    # Enrolling an authenticator app, and the code of an enrolled one: the second step of signing in.
    "mfa_setup": (Action.SIGN_IN, Action.SIGN_IN_FAILED),
    "mfa_verify": (Action.SIGN_IN, Action.SIGN_IN_FAILED),
    # Setting one's password from a set-up link (refused: a bad link or a password the validators
    # refuse), and changing it (refused: a wrong current password or a refused new one). The access
    # log has no action of its own for a password; the URL name tells these rows apart.
    "account_setup": (Action.PASSWORD_SET, Action.PASSWORD_REFUSED),
    "password_change": (Action.PASSWORD_CHANGE, Action.PASSWORD_REFUSED),
    # An upload (to its preview), a confirmation (to the list) and a cancelling (back to the upload
    # page) answer with a redirect; an upload or confirmation shown again with an error is refused.
    # Opening the upload page (a GET) is no import and is not recorded.
    "imports:start": (Action.IMPORT, Action.IMPORT),
    "imports:confirm": (Action.IMPORT, Action.IMPORT),
    "imports:cancel": (Action.IMPORT, Action.IMPORT),
    # A supervisor lets a referral be sent without a covering consent: accepted (a redirect to the
    # referral) or refused (the form again, 400: no reason given, or the referral already sent).
    "referral_override": (Action.CONSENT_OVERRIDE, Action.CONSENT_OVERRIDE),
}

# A provider's one-time link (directory/link_views.py) records its own rows, not through the
# middleware: the visitor has no user (the row's username names the link's address), the link's URL
# holds a secret (recorded masked) and the page's URL holds no id (the row names the provider and
# link). Opened (PROVIDER_LINK_OPEN), the page read (VIEW), confirmed with or without proposed changes
# (PROVIDER_LINK_CONFIRM; refused when the form had errors), and every altered, unknown, expired,
# used or ended link (REFUSED).
SELF_RECORDED_VIEWS = frozenset({"directory:provider_link_open", "directory:provider_link_page"})

# Query parameters that only page or order a list; any other non-empty one makes it a search.
NOT_A_SEARCH = frozenset({"page", "per_page", "sort", "history"})


def list_or_search(action: str, query: dict) -> str:
    """A list opened with a filter or search term is recorded as a search."""
    if action == Action.LIST and any(value for key, value in query.items() if key not in NOT_A_SEARCH):
        return Action.SEARCH
    return action


def audited_action(view_name: str) -> str | None:
    """The action recorded when a GET of this URL name succeeds; None when it is not audited."""
    return AUDITED_VIEWS.get(view_name)


# Resolver arguments that are secrets rather than object ids (an upload's random token).
HIDDEN_KWARGS = frozenset({"token"})


def positional_arg_names(view_name: str) -> tuple[str, ...]:
    """Names for a URL's unnamed arguments: django-simple-history's page of one old version has two."""
    if view_name.endswith("_simple_history"):
        return ("object_id", "version_id")
    return ()
