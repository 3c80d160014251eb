"""One-time set-up links: how a new user (or one an admin resets) chooses their own password.

The admin never types or knows a user's password. Issuing a link makes the current password
unusable; the user opens the link, sets a password, signs in with it and enrols their
authenticator app. A link is a Django password-reset token with its own salt, so it works for
nothing else and no other token works here. Its hash covers the stored password and the last
sign-in, so setting a password, or issuing a newer link, ends it; it also expires after
TSUNAGU_SETUP_LINK_HOURS.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode


class SetupLinkTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, salted apart, with TSUNAGU_SETUP_LINK_HOURS instead of PASSWORD_RESET_TIMEOUT."""

    key_salt = "tsunagu.accounts.SetupLinkTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            issued = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, issued, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - issued <= settings.TSUNAGU_SETUP_LINK_HOURS * 3600


setup_link_tokens = SetupLinkTokenGenerator()


@dataclass(frozen=True)
class SetupLink:
    path: str
    expires_at: datetime


def setup_link_issue(*, user) -> SetupLink:
    """Make the user's password unusable (ending earlier links and their sessions) and return a new link."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("account_setup", kwargs={"uidb64": uidb64, "token": setup_link_tokens.make_token(user)})
    expires_at = timezone.localtime() + timedelta(hours=settings.TSUNAGU_SETUP_LINK_HOURS)
    return SetupLink(path=path, expires_at=expires_at)


def setup_link_user(*, uidb64: str, token: str):
    """The active user a valid, unexpired, unused link belongs to; None for any other link."""
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        user = get_user_model()._default_manager.get(pk=pk, is_active=True)
    except (ValueError, OverflowError, ValidationError, get_user_model().DoesNotExist):
        return None
    return user if setup_link_tokens.check_token(user, token) else None
