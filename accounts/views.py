"""One's own sign-in: set a password from a set-up link, change it, enrol an authenticator app, give its code."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
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
from .setup_links import setup_link_user

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
    refused with 403 and recorded): the office's supervisor resets a lost app in 管理 ▸ 利用者 (or an
    admin deletes it in Django admin).
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


# Like Django's PasswordResetConfirmView: the token moves from the link into the session and the
# page is shown at a URL without it, so the secret is neither sent on as a Referer nor written to
# the access log with the form's POST.
SETUP_TOKEN = "tsunagu_setup_token"
TOKEN_IN_SESSION = "set-password"


@never_cache
@sensitive_post_parameters()
def account_setup(request, uidb64: str, token: str):
    """A new user's one-time link: choose a password, then sign in with it (and enrol the app).

    An expired, used or forged link gets a Japanese page (400) asking for a new link, and changes
    nothing. A POST answered with a redirect is recorded as accepted, the page shown again refused.
    """
    if token != TOKEN_IN_SESSION:
        if setup_link_user(uidb64=uidb64, token=token) is None:
            return render(request, "accounts/setup_invalid.html", status=400)
        request.session[SETUP_TOKEN] = token
        return redirect("account_setup", uidb64=uidb64, token=TOKEN_IN_SESSION)
    user = setup_link_user(uidb64=uidb64, token=request.session.get(SETUP_TOKEN, ""))
    if user is None:
        return render(request, "accounts/setup_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.user.is_authenticated:
            logout(request)  # someone else's session in this browser ends before the new user signs in
        form.save()
        request.session.pop(SETUP_TOKEN, None)
        messages.success(
            request,
            f"パスワードを設定しました。ユーザー名「{user.get_username()}」と新しいパスワードでログインしてください。",
        )
        return redirect("login")
    return render(request, "accounts/setup.html", {"form": form, "setup_user": user})


@never_cache
@sensitive_post_parameters()
@login_required
def password_change(request):
    """Every signed-in user changes their own password; the current one is asked first."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)  # this session stays signed in, others end
        messages.success(request, "パスワードを変更しました。次回から新しいパスワードでログインしてください。")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})
