"""Writes of 管理 ▸ 利用者: add a user with a role in one step, edit, deactivate, unlock, reset the app.

Every change saves the user with its version raised by one and a reason, so it is one record of
the user's history (accounts.models.UserHistoricalRecords; the request's user is its author).
Rules that hold whoever calls: nobody changes their own role or deactivates themselves, a
supervisor gives roles up to 管理者 only and manages only their office's users (never a system
admin), and a user is never deleted.
"""

from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.services import lock_for_edit

from .models import Office, User
from .roles import ROLE_GROUPS, Role
from .setup_links import SetupLink, setup_link_issue

USERNAME_TAKEN = "このユーザー名はすでに使われています。別のユーザー名を入力してください。"
ROLE_NOT_ALLOWED = "この役割は選べません。システム管理者の役割はシステム管理者だけが付けられます。"
OWN_ROLE = "自分自身の役割は変更できません。ほかの管理者に依頼してください。"
OWN_DEACTIVATION = "自分自身を無効にすることはできません。ほかの管理者に依頼してください。"
NAME_REQUIRED = "姓を入力してください。"
REASON_REQUIRED = "リセットの理由を入力してください。"
OFFICE_NAME_TAKEN = "同じ名前の事業所がすでにあります。"


def roles_for(editor) -> list[Role]:
    """The roles an editor may give, in the order the form offers them."""
    roles = [Role.COORDINATOR, Role.SUPERVISOR, Role.WARD_STAFF]
    return [*roles, Role.ADMIN] if editor.role == Role.ADMIN else roles


def _check_may_manage(editor, user) -> None:
    """The views already find the user among those the editor may manage; this guards every other caller."""
    if editor.role == Role.ADMIN:
        return
    if editor.role != Role.SUPERVISOR or user.is_superuser or user.office_id != editor.office_id:
        raise PermissionDenied


def _set_role(user: User, role: Role) -> None:
    """The one role: a group for three of them, superuser (and staff, for Django admin) for the admin.

    Sets the groups of a saved user; the caller saves is_superuser and is_staff."""
    user.is_superuser = user.is_staff = role == Role.ADMIN
    groups = [] if role == Role.ADMIN else [Group.objects.get(name=ROLE_GROUPS[role])]
    user.groups.set(groups)
    user.__dict__.pop("role", None)  # the cached property


def _save(user: User, reason: str, fields: list[str]) -> User:
    """Save the changed fields with the next version; one history record with the reason."""
    user.version += 1
    user._change_reason = reason
    user.save(update_fields=[*fields, "version"])
    return user


@dataclass(frozen=True)
class NewUser:
    user: User
    link: SetupLink


def user_create(
    *, editor, office: Office, username: str, last_name: str, first_name: str, email: str, role: Role
) -> NewUser:
    """A new user of the office with their role, and the one-time set-up link to hand over.

    The user has no usable password until they choose one through the link; they enrol their
    authenticator app at their first sign-in. Bad input raises ValidationError and saves nothing.
    """
    if editor.role != Role.ADMIN and (editor.role != Role.SUPERVISOR or office.pk != editor.office_id):
        raise PermissionDenied
    errors = {}
    if role not in roles_for(editor):
        errors["role"] = [ROLE_NOT_ALLOWED]
    if username and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [USERNAME_TAKEN]
    if not last_name.strip():
        errors["last_name"] = [NAME_REQUIRED]
    user = User(username=username, last_name=last_name, first_name=first_name, email=email, office=office)
    user.set_unusable_password()
    try:
        user.full_clean(exclude=["password", *errors])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.is_superuser = user.is_staff = role == Role.ADMIN
        user._change_reason = f"利用者を追加（役割：{role.label}）"
        user.save()
        _set_role(user, role)
        link = setup_link_issue(user=user)
    return NewUser(user, link)


def user_update(
    *, editor, user: User, expected_version: int, last_name: str, first_name: str, email: str, role: Role
) -> User:
    """Name, e-mail address and role; EditConflict if someone saved the user since the editor read it."""
    _check_may_manage(editor, user)
    with transaction.atomic():
        current = lock_for_edit(User, pk=user.pk, expected_version=expected_version)
        old_role = current.role
        errors = {}
        if role != old_role:
            if current.pk == editor.pk:
                errors["role"] = [OWN_ROLE]
            elif role not in roles_for(editor) or old_role not in roles_for(editor):
                errors["role"] = [ROLE_NOT_ALLOWED]
        if not last_name.strip():
            errors["last_name"] = [NAME_REQUIRED]
        changed = (current.last_name, current.first_name, current.email) != (last_name, first_name, email)
        current.last_name, current.first_name, current.email = last_name, first_name, email
        try:
            current.full_clean(exclude=["password", "username"])
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        if not changed and role == old_role:
            return current
        reason = "利用者の情報を変更"
        if role != old_role:
            _set_role(current, role)
            old_label = old_role.label if old_role else "なし"
            reason = f"役割を変更（{old_label} → {role.label}）"
        return _save(current, reason, ["last_name", "first_name", "email", "is_superuser", "is_staff"])


def user_deactivate(*, editor, user: User, expected_version: int) -> User:
    """The user can no longer sign in (their sessions end at once); nothing of theirs is deleted."""
    _check_may_manage(editor, user)
    if user.pk == editor.pk:
        raise ValidationError(OWN_DEACTIVATION)
    with transaction.atomic():
        current = lock_for_edit(User, pk=user.pk, expected_version=expected_version)
        if not current.is_active:
            return current
        current.is_active = False
        return _save(current, "無効にしました（ログインできません）", ["is_active"])


def user_reactivate(*, editor, user: User, expected_version: int) -> User:
    _check_may_manage(editor, user)
    with transaction.atomic():
        current = lock_for_edit(User, pk=user.pk, expected_version=expected_version)
        if current.is_active:
            return current
        current.is_active = True
        return _save(current, "有効に戻しました", ["is_active"])


def user_unlock(*, editor, user: User, expected_version: int) -> int:
    """End a lockout (django-axes' failed attempts of this user name, from every address); the count removed."""
    _check_may_manage(editor, user)
    with transaction.atomic():
        current = lock_for_edit(User, pk=user.pk, expected_version=expected_version)
        removed = axes_reset(username=current.get_username())
        _save(current, "ロックアウトを解除", [])
    return removed


def user_authenticator_reset(*, editor, user: User, expected_version: int, reason: str) -> User:
    """Delete the user's authenticator app; they enrol a new one at their next sign-in. A reason is required."""
    _check_may_manage(editor, user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    with transaction.atomic():
        current = lock_for_edit(User, pk=user.pk, expected_version=expected_version)
        TOTPDevice.objects.filter(user=current).delete()
        return _save(current, f"認証アプリをリセット（理由：{reason}）", [])


def user_setup_link_reissue(*, editor, user: User, expected_version: int) -> SetupLink:
    """A new set-up link (e.g. the first one expired): the current password and earlier links stop working."""
    _check_may_manage(editor, user)
    with transaction.atomic():
        current = lock_for_edit(User, pk=user.pk, expected_version=expected_version)
        link = setup_link_issue(user=current)
        _save(current, "初期設定用リンクを発行（それまでのパスワードは使えません）", [])
    return link


def office_create(*, editor, name: str, municipality: str) -> Office:
    """A new office (system admin only); its hours, calendar and districts are set in its own settings."""
    if editor.role != Role.ADMIN:
        raise PermissionDenied
    office = Office(name=name.strip(), municipality=municipality.strip())
    errors = {}
    if office.name and Office.objects.filter(name=office.name).exists():
        errors["name"] = [OFFICE_NAME_TAKEN]
    try:
        office.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    office.save()
    return office
