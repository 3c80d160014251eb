"""The role × URL access matrix: what each role gets on a GET of every URL name of the project.

One place for "who may open what" (issue 6; 医療情報システムの安全管理に関するガイドライン
第6.0版: access control by role). `tests/test_access_matrix.py` walks every URL pattern of the project and
asserts these statuses for every role, and fails on a URL name that is missing here, so a new view
cannot ship without a decision about who may open it. docs/security.md shows this table; regenerate
it with `python -m config.access` after a change (a test checks the two agree).

Statuses are those of a GET with sample ids of the demo office's own objects, MFA off:
200 shown · 302 redirected (anonymous → the sign-in page) · 403 refused by permission ·
400 a bad link · 404 not found · 405 POST only (the GET is refused before anything else runs).
"""

ROLES = ("anonymous", "ward_staff", "coordinator", "supervisor", "admin", "centre")

# Django admin's hundreds of patterns are guarded by the one AdminSite (staff only): one entry.
ADMIN_ENTRY = "admin:*"

A, W, C, S, M, X = ROLES  # short names for the table below


def _row(
    anonymous: int, ward_staff: int, coordinator: int, supervisor: int, admin: int, note: str = "", *, centre: int = 403
) -> dict:
    """One URL's statuses. センター職員 (`centre`, no office, no personal data) is refused unless the entry
    says otherwise: its expected status is given only where it differs from 403 (the walk checks every one)."""
    return {A: anonymous, W: ward_staff, C: coordinator, S: supervisor, M: admin, X: centre, "note": note}


ACCESS_MATRIX: dict[str, dict] = {
    # health check for nginx and monitors: no data, only "ok" or 503
    "healthz": _row(200, 200, 200, 200, 200, "database check; exempt from the HTTPS redirect, not audited", centre=200),
    # sign-in and two-factor
    "login": _row(200, 302, 302, 302, 302, "signed-in users are sent home", centre=302),
    "logout": _row(405, 405, 405, 405, 405, "POST only (Django 5)", centre=405),
    "mfa_setup": _row(
        302,
        302,
        302,
        302,
        302,
        "only for whoever must give a code (MFA on, not ward staff), without a confirmed app; others → home",
        centre=302,
    ),
    "mfa_verify": _row(
        302, 302, 302, 302, 302, "with MFA on: without a confirmed app → enrolment; others → home", centre=302
    ),
    # one's own password: set once from the admin's set-up link, then changed by its owner
    "account_setup": _row(
        400,
        400,
        400,
        400,
        400,
        "a valid one-time link → its password form; a forged, used or expired one: 400 (Japanese page)",
        centre=400,
    ),
    "password_change": _row(302, 200, 200, 200, 200, "one's own password; the current one is asked first", centre=200),
    # Django admin
    ADMIN_ENTRY: _row(
        302,
        302,
        302,
        302,
        200,
        "anonymous and non-staff → the admin's sign-in page; personal data read-only there, every page of it logged",
        centre=302,
    ),
    # home
    "home": _row(
        302, 200, 200, 200, 200, "ward staff see no client data; the centre → its page (centre:index)", centre=302
    ),
    # clients
    "client_list": _row(302, 403, 200, 200, 200),
    "client_power_list": _row(302, 403, 200, 200, 200),
    "client_create": _row(302, 403, 200, 403, 200),
    "client_detail": _row(302, 403, 200, 200, 200, "another office's client: 404"),
    "client_update": _row(302, 403, 200, 403, 200, "another office's client: 404"),
    "client_lookup": _row(302, 403, 200, 200, 200),
    # consents to share information (情報共有の同意), recorded on the client's page
    "consent_create": _row(302, 403, 200, 403, 200, "another office's client: 404"),
    "consent_withdraw": _row(
        302,
        403,
        200,
        403,
        200,
        "another office's client, or a consent of another client: 404; withdrawn: its referrals",
    ),
    # contact logs
    "log_list": _row(302, 403, 200, 200, 200),
    "log_export": _row(302, 403, 200, 200, 200),
    "log_create": _row(302, 403, 200, 403, 200),
    "log_detail": _row(302, 403, 200, 200, 200, "another office's log: 404"),
    "log_update": _row(302, 403, 200, 403, 200, "another office's log: 404"),
    # follow-ups (次の対応)
    "follow_up_list": _row(302, 403, 200, 200, 200, "mine or the office's; supervisors read only"),
    "follow_up_export": _row(
        302, 403, 200, 200, 200, "what the list's filters select; its rows counted in the access log"
    ),
    "follow_up_create": _row(302, 403, 200, 403, 200, "`?client=&log=&referral=` not of the office: 404"),
    "follow_up_update": _row(302, 403, 200, 403, 200, "another office's follow-up: 404"),
    "follow_up_done": _row(405, 405, 405, 405, 405, "POST only; another office's follow-up: 404", centre=405),
    "follow_up_reopen": _row(405, 405, 405, 405, 405, "POST only; another office's follow-up: 404", centre=405),
    # events
    "event_list": _row(302, 403, 200, 200, 200),
    "event_create": _row(302, 403, 200, 403, 200),
    "event_detail": _row(302, 403, 200, 200, 200, "another office's event: 404"),
    "event_update": _row(302, 403, 200, 403, 200, "another office's event: 404"),
    # needs register (ニーズ・課題): coordinators and supervisors keep it; ward staff none
    "need_list": _row(302, 403, 200, 200, 200),
    "need_export": _row(302, 403, 200, 200, 200, "what the list's filters select; its rows counted in the access log"),
    "need_create": _row(302, 403, 200, 200, 200),
    "need_detail": _row(302, 403, 200, 200, 200, "another office's need: 404"),
    "need_update": _row(302, 403, 200, 200, 200, "another office's need: 404"),
    "need_move": _row(
        405, 405, 405, 405, 405, "POST only (a dated note with a status); another office's need: 404", centre=405
    ),
    "need_from_log": _row(302, 403, 200, 200, 200, "another office's log: 404"),
    # referrals (つなぎ)
    "referral_list": _row(302, 403, 200, 200, 200),
    "referral_export": _row(
        302, 403, 200, 200, 200, "what the list's filters select; its rows counted in the access log"
    ),
    "referral_create": _row(302, 403, 200, 403, 200, "`?client=` and `?provider=` fill it in"),
    "referral_detail": _row(302, 403, 200, 200, 200, "another office's referral: 404"),
    "referral_update": _row(302, 403, 200, 403, 200, "only while 準備中 (else → its page); another office's: 404"),
    "referral_move": _row(
        302, 403, 200, 403, 200, "a move the table allows from the state; another → its page; another office's: 404"
    ),
    "referral_override": _row(302, 403, 403, 200, 200, "supervisors' consent override, with a reason (access-logged)"),
    # spreadsheet imports (clients, logs, providers: one flow, the kind in the URL)
    "imports:start": _row(302, 403, 200, 403, 200, "offers the kinds the user may import"),
    "imports:template": _row(302, 403, 200, 403, 200, "an unknown kind: 404"),
    "imports:preview": _row(
        302, 403, 302, 403, 302, "a token not issued to this session for this kind → back to the start"
    ),
    "imports:confirm": _row(405, 405, 405, 405, 405, "POST only", centre=405),
    "imports:cancel": _row(405, 405, 405, 405, 405, "POST only", centre=405),
    # directory (shared by all offices)
    "provider_lookup": _row(302, 200, 200, 200, 200),
    "directory:provider_list": _row(302, 200, 200, 200, 200),
    "directory:provider_detail": _row(302, 200, 200, 200, 200),
    "directory:provider_reverify_list": _row(302, 200, 200, 200, 200),
    "directory:provider_create": _row(302, 403, 200, 403, 200),
    "directory:provider_update": _row(302, 403, 200, 403, 200),
    # the provider form's postal-code fill: JSON of Japan Post's area, no personal data (404 for an unknown code)
    "directory:postal_lookup": _row(302, 403, 404, 403, 404),
    "directory:provider_verify": _row(302, 405, 405, 405, 405, "POST only", centre=405),
    # a provider's one-time link (no account; directory/link_views.py): the e-mailed link, checked, moves into
    # the session and redirects to the page; every use is in the access log, under the link's address
    "directory:provider_link_open": _row(
        404,
        404,
        404,
        404,
        404,
        "anyone with a valid link → 302 to its page; altered or unknown: 404; expired, used or ended by a newer: 410",
        centre=404,
    ),
    "directory:provider_link_page": _row(
        404,
        404,
        404,
        404,
        404,
        "only after a valid link was opened in this session: that provider's public fields and matrix (else 404)",
        centre=404,
    ),
    "directory:provider_link_done": _row(200, 200, 200, 200, 200, "thanks after confirming; shows no data", centre=200),
    "directory:provider_link_send": _row(302, 405, 405, 405, 405, "POST only; e-mails a new link", centre=405),
    "directory:provider_link_send_all": _row(
        302, 403, 200, 403, 200, "confirm, then POST: links to every stale entry with an e-mail address"
    ),
    "directory:provider_proposals": _row(302, 403, 200, 403, 200, "a provider's proposals, decided field by field"),
    "directory:provider_export": _row(302, 200, 200, 200, 200, "internal note only for view_client"),
    "directory:provider_hsds_export": _row(302, 200, 200, 200, 200, "public data package"),
    # quarterly report
    "reporting:quarterly": _row(302, 403, 200, 200, 200),
    "reporting:download": _row(302, 403, 200, 200, 200, "another office's `?version=`: 404"),
    "reporting:edit_texts": _row(302, 403, 403, 200, 200),
    "reporting:file_status": _row(
        302, 403, 200, 200, 200, "JSON: whether the worker has made a report file (作成中 page); another office's: 404"
    ),
    "reporting:finalize": _row(405, 405, 405, 405, 405, "POST only", centre=405),
    "reporting:open_draft": _row(405, 405, 405, 405, 405, "POST only", centre=405),
    "reporting:kind": _row(
        302, 403, 200, 200, 200, "the other kinds of report (受付状況, 課題解決状況); unknown kind: 404"
    ),
    "reporting:kind_download": _row(302, 403, 200, 200, 200, "anonymous aggregates; unknown kind or format: 404"),
    # 管理 (office settings): the users of an office; offices (system admin)
    "office_settings:index": _row(302, 403, 403, 200, 200, "supervisors and the system admin"),
    "office_settings:user_list": _row(302, 403, 403, 200, 200, "a supervisor's office; the admin picks `?office=`"),
    "office_settings:user_create": _row(
        302, 403, 403, 200, 200, "roles up to 管理者 for supervisors; the answer shows the set-up link once"
    ),
    "office_settings:user_detail": _row(302, 403, 403, 200, 200, "another office's user (or a system admin): 404"),
    "office_settings:user_update": _row(
        302, 403, 403, 200, 200, "another office's user: 404; one's own role cannot be changed"
    ),
    "office_settings:user_deactivate": _row(302, 403, 403, 200, 200, "confirm, then POST; another office's: 404"),
    "office_settings:user_reactivate": _row(302, 403, 403, 200, 200, "confirm, then POST; another office's: 404"),
    "office_settings:user_unlock": _row(302, 403, 403, 200, 200, "django-axes reset; another office's: 404"),
    "office_settings:user_authenticator_reset": _row(302, 403, 403, 200, 200, "with a reason; another office's: 404"),
    "office_settings:user_setup_link": _row(
        302, 403, 403, 200, 200, "a new link ends the password; another office's: 404"
    ),
    "office_settings:office_list": _row(302, 403, 403, 403, 200, "system admin only"),
    "office_settings:office_create": _row(302, 403, 403, 403, 200, "system admin only"),
    # office settings: opening hours, the calendar of 営業日, the report header, districts and their order
    "office_calendar:calendar": _row(
        302, 403, 403, 200, 200, "the user's own office; another office's (`?office=`): 404, but the admin picks any"
    ),
    "office_calendar:hours": _row(302, 403, 403, 200, 200, "as the calendar"),
    "office_calendar:office": _row(
        302, 403, 403, 200, 200, "name and schedule line of the report header; as the calendar"
    ),
    "district_settings:index": _row(302, 403, 403, 200, 200, "as the calendar"),
    "district_settings:add": _row(405, 405, 405, 405, 405, "POST only", centre=405),
    "district_settings:move": _row(405, 405, 405, 405, 405, "POST only", centre=405),
    "district_settings:remove": _row(
        405, 405, 405, 405, 405, "POST only; a district with the office's clients: refused", centre=405
    ),
    # access log
    "audit:event_list": _row(302, 403, 403, 403, 200, "technical rows; superusers only; each reading is logged"),
    "access_log": _row(302, 403, 403, 200, 200, "supervisors: their office's rows; admin: every office's; logged"),
    "access_log_export": _row(302, 403, 403, 200, 200, "`xlsx`/`csv`; the export is logged with its rows"),
    # the centre (センター職員): every office's counts and finalized reports; an office's roles see only their own
    "centre:index": _row(302, 403, 403, 403, 200, "one row per office (速報 or 確定), no names", centre=200),
    "centre:export": _row(302, 403, 403, 403, 200, "`xlsx`/`csv` of the page's table; logged", centre=200),
    "centre:version_file": _row(
        302, 403, 403, 403, 200, "a finalized 業務報告書 of any office, byte for byte; logged", centre=200
    ),
}


def matrix_key(url_name: str) -> str:
    """The matrix entry of a (namespaced) URL name; every Django admin page shares one."""
    return ADMIN_ENTRY if url_name.startswith("admin:") else url_name


def matrix_markdown() -> str:
    """The matrix as the Markdown table docs/security.md shows."""
    lines = ["| URL name | " + " | ".join(ROLES) + " | note |", "|---" * (len(ROLES) + 2) + "|"]
    for name, entry in ACCESS_MATRIX.items():
        lines.append(f"| `{name}` | " + " | ".join(str(entry[role]) for role in ROLES) + f" | {entry['note']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(matrix_markdown(), end="")
