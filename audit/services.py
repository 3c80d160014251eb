"""Writing access log rows: the only code that creates them."""

import ipaddress
import json
import logging

from django.conf import settings
from django.http import HttpRequest

from .models import AccessEvent, Action, Outcome
from .policy import HIDDEN_KWARGS, positional_arg_names

USER_AGENT_MAX = 300
PATH_MAX = 1000

# A copy of each row on the application's log stream, which leaves the host with the other logs.
logger = logging.getLogger("tsunagu.access")


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR; with `TSUNAGU_TRUSTED_PROXY` on, the address our proxy appended to X-Forwarded-For.

    Only the rightmost entry is trusted: the ones before it come from the client and can be forged.
    """
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if getattr(settings, "TSUNAGU_TRUSTED_PROXY", False):
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        if forwarded:
            candidates.insert(0, forwarded[-1])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


# Where a view leaves what the access log should add to its row (the rows an export wrote).
_NOTES = "_tsunagu_access_log_notes"


def access_log_note(request: HttpRequest, **notes) -> None:
    """Tells the access log what to add to the request's row: how many rows an export or download
    carried (`rows=`), or the ids of what a page without ids in its URL showed (`provider=`, `link=`)."""
    setattr(request, _NOTES, {**getattr(request, _NOTES, {}), **notes})


def _object_ids(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    ids = {key: value for key, value in match.kwargs.items() if key not in HIDDEN_KWARGS}
    if match.args:
        names = positional_arg_names(match.view_name)
        ids.update(zip(names, match.args) if len(names) == len(match.args) else {"args": list(match.args)})
    ids.update(getattr(request, _NOTES, {}))
    return ids


def access_event_record(
    *,
    request: HttpRequest | None,
    action: str,
    outcome: str = Outcome.SUCCESS,
    user=None,
    username: str = "",
    status_code: int | None = None,
    path: str | None = None,
) -> AccessEvent:
    """Append one row. `user` defaults to the request's signed-in user (none when anonymous).

    `path` replaces the request's when the URL itself holds a secret (a provider's one-time link).
    """
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    role = getattr(user, "role", None) if user is not None else None
    event = AccessEvent(
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        role=str(getattr(role, "label", role) or ""),
        action=Action(action),
        outcome=Outcome(outcome),
        status_code=status_code,
    )
    if request is not None:
        match = getattr(request, "resolver_match", None)
        event.path = (request.get_full_path() if path is None else path)[:PATH_MAX]
        event.url_name = (match.view_name if match else "")[:200]
        event.object_ids = _object_ids(request)
        event.method = request.method or ""
        event.ip_address = client_ip(request)
        event.user_agent = request.headers.get("user-agent", "")[:USER_AGENT_MAX]
    # The user comes from the session or the auth backend: no need for a query to check it exists.
    event.full_clean(exclude=["user"])
    event.save()
    _log(event)
    return event


def _quoted(value: str) -> str:
    # Quoted and escaped: a name typed at sign-in must not start a forged line of its own.
    return json.dumps(value, ensure_ascii=False)


def _log(event: AccessEvent) -> None:
    """One line per row; the time and request id come from the log format (config/log.py).

    No path: its query string may hold what was searched (a client's name). The URL name and the
    object ids say what was opened; the row's hash lets a copy kept off the host vouch for the table.
    """
    logger.info(
        "id=%s at=%s action=%s outcome=%s user_id=%s username=%s role=%s view=%s objects=%s status=%s ip=%s hash=%s",
        event.pk,
        event.occurred_at.isoformat(timespec="microseconds"),
        event.action,
        event.outcome,
        event.user_id if event.user_id is not None else "-",
        _quoted(event.username),
        _quoted(event.role),
        event.url_name or "-",
        json.dumps(event.object_ids, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        event.status_code if event.status_code is not None else "-",
        event.ip_address or "-",
        event.row_hash,
    )
