"""Session limits and the two-factor gate: the middleware and signal receivers of sign-in security."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.models import Session
from django.shortcuts import redirect
from django.urls import reverse

from .mfa import has_confirmed_device
from .roles import Role

SIGNED_IN_AT = "tsunagu_signed_in_at"
LAST_ACTIVITY = "tsunagu_last_activity"

IDLE_TIMEOUT_SECONDS = 30 * 60
ABSOLUTE_TIMEOUT_SECONDS = 10 * 60 * 60
# Writing the session on every request would cost a query per page; a minute of slack on a
# 30-minute idle limit is immaterial.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60

DATABASE_SESSION_ENGINES = {"django.contrib.sessions.backends.db"}

# The centre sees no personal data but every office's figures: it gives a code too.
MFA_ROLES = {Role.COORDINATOR, Role.SUPERVISOR, Role.ADMIN, Role.CENTRE}


def requires_mfa(user) -> bool:
    """Whether this signed-in user must pass a TOTP code (ward staff and role-less users need not)."""
    return bool(settings.TSUNAGU_REQUIRE_MFA) and user.role in MFA_ROLES


def stamp_sign_in(sender, request, user, **kwargs):
    """On every sign-in (user_logged_in): start both session clocks."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVITY] = now


def end_sessions_of_deactivated_user(sender, instance, **kwargs):
    """On User save (post_save): a deactivated user's sessions are deleted at once.

    Django's ModelBackend already refuses an inactive user on their next request; deleting the
    sessions as well leaves nothing behind. Sessions are few (one office's staff), so decoding
    them all is cheap and needs no extra table.
    """
    if instance.is_active or kwargs.get("raw"):
        return
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return
    user_id = str(instance.pk)
    doomed = [
        session.session_key
        for session in Session.objects.all()
        if str(session.get_decoded().get(SESSION_KEY)) == user_id
    ]
    Session.objects.filter(session_key__in=doomed).delete()


class SessionLimitsMiddleware:
    """Signs out after 30 minutes without a request, and 10 hours after sign-in in any case.

    The request then goes on as anonymous, so `login_required` sends the user to the sign-in page
    with `next` set; drafts typed in a log form survive in the browser's localStorage.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            signed_in_at = session.get(SIGNED_IN_AT)
            last_activity = session.get(LAST_ACTIVITY)
            if signed_in_at is None or last_activity is None:
                # A session from before these limits: start its clocks now.
                session[SIGNED_IN_AT] = signed_in_at or now
                session[LAST_ACTIVITY] = now
            elif now - signed_in_at >= ABSOLUTE_TIMEOUT_SECONDS:
                self.end(
                    request, "ログインから10時間が経過したため、ログアウトしました。もう一度ログインしてください。"
                )
            elif now - last_activity >= IDLE_TIMEOUT_SECONDS:
                self.end(request, "30分間操作がなかったため、ログアウトしました。もう一度ログインしてください。")
            elif now - last_activity >= ACTIVITY_WRITE_INTERVAL_SECONDS:
                session[LAST_ACTIVITY] = now
        return self.get_response(request)

    @staticmethod
    def end(request, message: str) -> None:
        logout(request)
        messages.info(request, message)


STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")


class MFARequiredMiddleware:
    """Until a TOTP code is verified, a user who needs one reaches only enrolment, verification and sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TSUNAGU_REQUIRE_MFA and request.user.is_authenticated:
            if not request.user.is_verified() and requires_mfa(request.user):
                open_paths = {reverse("mfa_setup"), reverse("mfa_verify"), reverse("logout")}
                if request.path not in open_paths and not request.path.startswith(STATIC_PREFIX):
                    target = reverse("mfa_verify" if has_confirmed_device(request.user) else "mfa_setup")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
