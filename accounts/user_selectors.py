"""Reads for 管理 ▸ 利用者: the users an editor may manage, and each one's sign-in state."""

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Office, User
from .roles import ROLE_GROUPS, Role
from .security import MFA_ROLES


def is_settings_manager(user) -> bool:
    """Who may open the settings (管理): supervisors of their office and the system admin."""
    return user.is_authenticated and user.role in (Role.SUPERVISOR, Role.ADMIN)


def manageable_users(editor):
    """The users the editor may open: a supervisor's office's (never a system admin), the admin's: all."""
    users = User.objects.all()
    if editor.role != Role.ADMIN:
        users = users.filter(office_id=editor.office_id, is_superuser=False) if editor.office_id else users.none()
    return users


def _locked_out_attempts():
    """django-axes' rows of a user name currently locked out (from any address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)


def is_locked_out(user) -> bool:
    return _locked_out_attempts().filter(username=user.get_username()).exists()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def users_of_office(office: Office):
    """The office's users for the list, each with `is_locked_out` and `has_authenticator` (one query)."""
    return (
        User.objects.filter(office=office)
        .annotate(
            is_locked_out=Exists(_locked_out_attempts().filter(username=OuterRef("username"))),
            has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")))
        .order_by("-is_active", "last_name", "first_name", "username")
    )


def role_of(user) -> Role | None:
    """The role from prefetched groups (no query when the list prefetched them)."""
    if user.is_superuser:
        return Role.ADMIN
    names = {group.name for group in user.groups.all()}
    return next((role for role, group in ROLE_GROUPS.items() if group in names), None)


@dataclass(frozen=True)
class UserState:
    """What the list and a user's page show of one user's sign-in."""

    user: User
    role: Role | None
    is_locked_out: bool
    has_authenticator: bool
    has_password: bool
    last_login: datetime | None

    @property
    def needs_authenticator(self) -> bool:
        """Whether this role enrols an authenticator app (ward staff do not)."""
        return self.role in MFA_ROLES


def user_state(user) -> UserState:
    return UserState(
        user=user,
        role=user.role,
        is_locked_out=is_locked_out(user),
        has_authenticator=has_authenticator(user),
        has_password=user.has_usable_password(),
        last_login=user.last_login,
    )


def offices():
    """Every office, for the system admin's office picker."""
    return Office.objects.order_by("name")


def offices_with_counts():
    """Every office with its number of active users, for the system admin's list."""
    return Office.objects.annotate(active_users=Count("users", filter=Q(users__is_active=True))).order_by("name")
