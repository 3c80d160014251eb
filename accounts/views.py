"""Two-factor sign-in: enrol an authenticator app with a QR code, then give its 6-digit code."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from .forms import OneTimeCodeForm
from .mfa import (
    confirmed_device,
    device_enrol,
    device_verify,
    is_throttled,
    new_secret,
    qr_code_data_uri,
    secret_for_display,
    unsaved_device,
)
from .security import requires_mfa

WRONG_CODE = (
    "確認コードが正しくないか、すでに使われています。認証アプリに表示されている新しいコードを入力してください。"
)
THROTTLED = "確認コードの誤りが続いたため、しばらく受け付けません。数秒待ってから、新しいコードを入力してください。"


def _go_elsewhere(request, to: str):
    """A GET is redirected; a POST is refused, so the access log never takes it for an accepted code."""
    if request.method == "POST":
        raise PermissionDenied
    return redirect(to)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


# The secret being enrolled lives in the session until a right code confirms it.
PENDING_SECRET = "tsunagu_mfa_pending_secret"


@never_cache
@login_required
def mfa_setup(request):
    """First sign-in: show the QR code and the secret; a right code saves and confirms the app.

    Only for users who must give a code (others are sent home; a POST from them is refused). A user
    with a confirmed app is sent to the code page and cannot enrol another one here (a POST is
    refused with 403 and recorded): an admin resets a lost app by deleting it in Django admin.
    There is no wait after a wrong code here, unlike the code page: the secret is on this page.
    """
    if not requires_mfa(request.user):
        return _go_elsewhere(request, "home")
    if confirmed_device(request.user) is not None:
        return _go_elsewhere(request, "mfa_verify")
    secret = request.session.setdefault(PENDING_SECRET, new_secret())
    device = unsaved_device(user=request.user, key=secret)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolled = device_enrol(user=request.user, key=secret, code=form.cleaned_data["code"])
        if enrolled is not None:
            del request.session[PENDING_SECRET]
            otp_login(request, enrolled)
            return redirect(_next_url(request))
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_code": qr_code_data_uri(device),
            "secret": secret_for_display(device),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def mfa_verify(request):
    """Every later sign-in: the current code of the enrolled app."""
    if not requires_mfa(request.user):
        return _go_elsewhere(request, "home")
    if request.user.is_verified():
        return redirect("home")
    device = confirmed_device(request.user)
    if device is None:
        return _go_elsewhere(request, "mfa_setup")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_throttled(device):
            form.add_error("code", THROTTLED)
        elif device_verify(device=device, code=form.cleaned_data["code"]):
            device.refresh_from_db()
            otp_login(request, device)
            return redirect(_next_url(request))
        else:
            form.add_error("code", WRONG_CODE)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})
