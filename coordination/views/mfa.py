"""Two-factor sign-in: enrol an authenticator app with a QR code, then give its 6-digit code."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from ..forms import OneTimeCodeForm
from ..mfa import (
    confirmed_device,
    device_confirm,
    device_verify,
    is_throttled,
    pending_device,
    qr_code_data_uri,
    secret_for_display,
)

WRONG_CODE = "確認コードが正しくないか、すでに使われています。認証アプリに表示されている新しいコードを入力してください。"
THROTTLED = "確認コードの誤りが続いたため、しばらく受け付けません。数秒待ってから、新しいコードを入力してください。"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@never_cache
@login_required
def mfa_setup(request):
    """First sign-in: show the QR code and the secret; a right code confirms the app."""
    if request.user.is_verified():
        return redirect("home")
    if confirmed_device(request.user) is not None:
        return redirect("mfa_verify")
    device = pending_device(user=request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_throttled(device):
            form.add_error("code", THROTTLED)
        elif device_confirm(device=device, code=form.cleaned_data["code"]):
            device.refresh_from_db()
            otp_login(request, device)
            return redirect(_next_url(request))
        else:
            form.add_error("code", WRONG_CODE)
    return render(
        request,
        "registration/mfa_setup.html",
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
    if request.user.is_verified():
        return redirect("home")
    device = confirmed_device(request.user)
    if device is None:
        return redirect("mfa_setup")
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
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)})
