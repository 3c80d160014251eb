"""管理: the settings of an office, for its supervisors and for the system admin (every office).

Coordinators and ward staff get 403 on every page here; a supervisor gets 404 for a user of
another office. Writes go through accounts.user_services, reads through accounts.user_selectors.
Every change is confirmed on a page of its own (a POST), carries the version the page showed
(optimistic locking) and is one record of the user's history.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from common.forms import add_service_errors
from common.services import EditConflict
from tabular.conflicts import conflict_with, form_differences
from tabular.history import Tracked, history_entries, limit_for

from .. import user_selectors as selectors
from .. import user_services as services
from ..access import office_of
from ..roles import Role
from ..security import MFA_ROLES
from .forms import AuthenticatorResetForm, OfficeForm, UserCreateForm, UserEditForm, VersionForm

STALE = (
    "ほかの人が先にこの利用者を更新しました。操作はまだ行われていません。内容を確かめてから、もう一度操作してください。"
)
HISTORY_FIELDS = ["last_name", "first_name", "email", "is_active", "office"]


def settings_manager_required(view):
    """Signed in (else the sign-in page), and a supervisor or the system admin (else 403)."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not selectors.is_settings_manager(request.user):
            raise PermissionDenied("管理の画面は、管理者とシステム管理者だけが開けます。")
        return view(request, *args, **kwargs)

    return guarded


def system_admin_required(view):
    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.user.role != Role.ADMIN:
            raise PermissionDenied("事業所の追加は、システム管理者だけが行えます。")
        return view(request, *args, **kwargs)

    return guarded


def _is_admin(request) -> bool:
    return request.user.role == Role.ADMIN


def _office(request):
    """The office whose users are shown: a supervisor's own; the admin's choice (`?office=`), else theirs or the first."""
    if not _is_admin(request):
        return office_of(request)
    chosen = request.GET.get("office", "")
    if chosen:
        # No id has more digits (and int() refuses thousands of them): an office that does not exist.
        if not (chosen.isascii() and chosen.isdigit() and len(chosen) <= 18):
            raise Http404("事業所が見つかりません。")
        return get_object_or_404(selectors.offices(), pk=int(chosen))
    return request.user.office or selectors.offices().first()


def _user(request, pk):
    """A user the editor may manage; 404 for a user of another office (or a system admin, for a supervisor)."""
    return get_object_or_404(selectors.manageable_users(request.user).select_related("office"), pk=pk)


def _users_url(office) -> str:
    return f"{reverse('office_settings:user_list')}?office={office.pk}"


@never_cache
@settings_manager_required
def settings_index(request):
    return render(request, "office_settings/index.html", {"is_admin": _is_admin(request)})


@never_cache
@settings_manager_required
def user_list(request):
    office = _office(request)
    context = {
        "office": office,
        "users": list(selectors.users_of_office(office)) if office else [],
        "offices": selectors.offices() if _is_admin(request) else None,
        "is_admin": _is_admin(request),
    }
    for user in context["users"]:
        user.role_shown = selectors.role_of(user)
        user.needs_authenticator = user.role_shown in MFA_ROLES
        # A supervisor sees the system admin among the office's users but does not manage them.
        user.manageable = _is_admin(request) or not user.is_superuser
    return render(request, "office_settings/users_list.html", context)


@never_cache
@settings_manager_required
def user_create(request):
    """Name, user name, e-mail address and role in one step; the answer shows the set-up link to hand over."""
    office = _office(request)
    if office is None:
        raise PermissionDenied("事業所がありません。先に事業所を追加してください。")
    form = UserCreateForm(request.POST or None, editor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.user_create(editor=request.user, office=office, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _setup_link_page(request, new.user, new.link, created=True)
    context = {"form": form, "office": office, "is_admin": _is_admin(request)}
    return render(request, "office_settings/users_form.html", context, status=400 if form.errors else 200)


def _setup_link_page(request, user, link, *, created: bool):
    """The one time the link is shown: it is not stored anywhere it could be read again."""
    context = {
        "subject": user,
        "created": created,
        "link": request.build_absolute_uri(link.path),
        "expires_at": link.expires_at,
        "users_url": _users_url(user.office) if user.office else reverse("office_settings:user_list"),
    }
    return render(request, "office_settings/users_setup_link.html", context)


@never_cache
@settings_manager_required
def user_detail(request, pk):
    user = _user(request, pk)
    context = {
        "state": selectors.user_state(user),
        "subject": user,
        "own": user.pk == request.user.pk,
        "users_url": _users_url(user.office) if user.office else reverse("office_settings:user_list"),
        "history": history_entries(
            [Tracked(records=user.history.select_related("history_user"), fields=HISTORY_FIELDS)],
            limit=limit_for(request),
        ),
        "history_all_url": f"{reverse('office_settings:user_detail', args=[user.pk])}?history=all",
    }
    return render(request, "office_settings/users_detail.html", context)


@never_cache
@settings_manager_required
def user_update(request, pk):
    """Name, e-mail address and role; the user name never changes (it is how they sign in)."""
    user = _user(request, pk)
    own = user.pk == request.user.pk
    form = UserEditForm(request.POST or None, editor=request.user, user=user, own=own)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                editor=request.user,
                user=user,
                expected_version=data["version"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                email=data["email"],
                role=user.role if own else data["role"],
            )
        except EditConflict:
            current = _user(request, pk)
            theirs = UserEditForm(editor=request.user, user=current, own=own)
            fresh = request.POST.copy()
            fresh["version"] = str(current.version)
            conflict = conflict_with(
                current, what="この利用者の情報", changes=form_differences(theirs, form, exclude=["version"])
            )
            form = UserEditForm(fresh, editor=request.user, user=current, own=own)
            context = {"form": form, "subject": current, "conflict": conflict}
            return render(request, "office_settings/users_edit.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{user} さんの情報を保存しました。")
            return redirect("office_settings:user_detail", pk=user.pk)
    status = 400 if form.errors else 200
    return render(request, "office_settings/users_edit.html", {"form": form, "subject": user}, status=status)


def _confirmed_action(request, pk, *, action: str, form_class=VersionForm):
    """The confirmation page of one action on a user, and its POST: the service, then the user's page."""
    user = _user(request, pk)
    spec = ACTIONS[action]
    form = form_class(request.POST or None, initial={"version": user.version})
    if request.method == "POST" and form.is_valid():
        try:
            result = spec["do"](request.user, user, form.cleaned_data)
        except EditConflict:
            messages.error(request, STALE)
            return redirect("office_settings:user_detail", pk=user.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if action == "setup_link":
                return _setup_link_page(request, user, result, created=False)
            messages.success(request, spec["done"].format(name=user))
            return redirect("office_settings:user_detail", pk=user.pk)
    context = {
        "subject": user,
        "state": selectors.user_state(user),
        "own": user.pk == request.user.pk,
        "form": form,
        "action": action,
        **{key: value for key, value in spec.items() if key != "do"},
    }
    return render(request, "office_settings/users_confirm.html", context, status=400 if form.errors else 200)


ACTIONS = {
    "deactivate": {
        "title": "利用者を無効にする",
        "button": "無効にする",
        "done": "{name} さんを無効にしました。ログインできなくなり、ログイン中の画面も閉じられます。",
        "do": lambda editor, user, data: services.user_deactivate(
            editor=editor, user=user, expected_version=data["version"]
        ),
    },
    "reactivate": {
        "title": "利用者を有効に戻す",
        "button": "有効に戻す",
        "done": "{name} さんを有効に戻しました。",
        "do": lambda editor, user, data: services.user_reactivate(
            editor=editor, user=user, expected_version=data["version"]
        ),
    },
    "unlock": {
        "title": "ロックアウトを解除する",
        "button": "ロックアウトを解除する",
        "done": "{name} さんのロックアウトを解除しました。すぐにログインできます。",
        "do": lambda editor, user, data: services.user_unlock(
            editor=editor, user=user, expected_version=data["version"]
        ),
    },
    "authenticator_reset": {
        "title": "認証アプリをリセットする",
        "button": "認証アプリをリセットする",
        "done": "{name} さんの認証アプリをリセットしました。次のログインで新しい認証アプリを登録します。",
        "do": lambda editor, user, data: services.user_authenticator_reset(
            editor=editor, user=user, expected_version=data["version"], reason=data["reason"]
        ),
    },
    "setup_link": {
        "title": "初期設定用リンクを発行する",
        "button": "リンクを発行する",
        "done": "",
        "do": lambda editor, user, data: services.user_setup_link_reissue(
            editor=editor, user=user, expected_version=data["version"]
        ),
    },
}


@never_cache
@settings_manager_required
def user_deactivate(request, pk):
    return _confirmed_action(request, pk, action="deactivate")


@never_cache
@settings_manager_required
def user_reactivate(request, pk):
    return _confirmed_action(request, pk, action="reactivate")


@never_cache
@settings_manager_required
def user_unlock(request, pk):
    return _confirmed_action(request, pk, action="unlock")


@never_cache
@settings_manager_required
def user_authenticator_reset(request, pk):
    return _confirmed_action(request, pk, action="authenticator_reset", form_class=AuthenticatorResetForm)


@never_cache
@settings_manager_required
def user_setup_link(request, pk):
    return _confirmed_action(request, pk, action="setup_link")


@never_cache
@system_admin_required
def office_list(request):
    return render(request, "office_settings/offices_list.html", {"offices": selectors.offices_with_counts()})


@never_cache
@system_admin_required
def office_create(request):
    form = OfficeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            office = services.office_create(editor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"事業所「{office.name}」を追加しました。続けて、この事業所の利用者を追加してください。"
            )
            return redirect(_users_url(office))
    return render(request, "office_settings/offices_form.html", {"form": form}, status=400 if form.errors else 200)
