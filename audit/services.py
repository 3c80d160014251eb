"""Writing access log rows: the only code that creates them."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from .models import AccessEvent, Action, Outcome
from .policy import HIDDEN_KWARGS, positional_arg_names

USER_AGENT_MAX = 300
PATH_MAX = 1000


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


def _object_ids(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    ids = {key: value for key, value in match.kwargs.items() if key not in HIDDEN_KWARGS}
    if match.args:
        names = positional_arg_names(match.view_name)
        ids.update(zip(names, match.args) if len(names) == len(match.args) else {"args": list(match.args)})
    return ids


def access_event_record(
    *,
    request: HttpRequest | None,
    action: str,
    outcome: str = Outcome.SUCCESS,
    user=None,
    username: str = "",
    status_code: int | None = None,
) -> AccessEvent:
    """Append one row. `user` defaults to the request's signed-in user (none when anonymous)."""
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
        event.path = request.get_full_path()[:PATH_MAX]
        event.url_name = (match.view_name if match else "")[:200]
        event.object_ids = _object_ids(request)
        event.method = request.method or ""
        event.ip_address = client_ip(request)
        event.user_agent = request.headers.get("user-agent", "")[:USER_AGENT_MAX]
    # The user comes from the session or the auth backend: no need for a query to check it exists.
    event.full_clean(exclude=["user"])
    event.save()
    return event
