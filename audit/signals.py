"""Sign-in, sign-out, failed sign-in and (with django-axes) lockout, from their signals."""

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .models import Action, Outcome
from .services import access_event_record


def on_logged_in(sender, request, user, **kwargs):
    access_event_record(request=request, action=Action.SIGN_IN, user=user)


def on_logged_out(sender, request, user, **kwargs):
    # `user` is None when nobody was signed in; the request's user is already anonymous here.
    access_event_record(request=request, action=Action.SIGN_OUT, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    access_event_record(
        request=request,
        action=Action.SIGN_IN_FAILED,
        outcome=Outcome.REFUSED,
        username=str(credentials.get("username", "")),
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    access_event_record(
        request=request, action=Action.LOCKED_OUT, outcome=Outcome.REFUSED, username=str(username or "")
    )


def connect():
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.sign_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit.sign_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.sign_in_failed")
    # axes.signals imports axes' models, so only when the app is installed, not just importable.
    if not apps.is_installed("axes"):
        return
    try:
        from axes.signals import user_locked_out
    except ImportError:  # django-axes not installed: nothing to listen to.
        return
    user_locked_out.connect(on_locked_out, dispatch_uid="audit.locked_out")
