"""TOTP devices: enrolment with a QR code drawn here (no outside service) and code checks."""

from base64 import b32encode

import segno
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

DEVICE_NAME = "認証アプリ"


def has_confirmed_device(user) -> bool:
    """Whether the user has finished enrolment."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def new_secret() -> str:
    """A fresh TOTP secret (hex), kept in the session until the user confirms it with a code."""
    return default_key()


def unsaved_device(*, user, key: str) -> TOTPDevice:
    """The device being enrolled, not saved: it draws the QR code and the secret for the page."""
    return TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=False)


class _WrongCode(Exception):
    pass


def device_enrol(*, user, key: str, code: str) -> TOTPDevice | None:
    """Save the app as the user's confirmed device if the code is right; None (nothing saved) otherwise.

    Nothing is written before a right code, so opening the page again and again leaves no rows.
    django-otp checks the code on a saved device; a wrong one rolls the row back. The code then
    counts as used (last_t). A user who already has a confirmed app gets None: only an admin's
    reset (deleting the device) allows a new enrolment.
    """
    try:
        with transaction.atomic():
            # One enrolment at a time per user, so two tabs cannot both save a device.
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            if has_confirmed_device(user):
                return None
            # Unconfirmed rows left by earlier versions of this page.
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = unsaved_device(user=user, key=key)
            device.full_clean()
            device.save()
            if not device.verify_token(code):
                raise _WrongCode
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    except _WrongCode:
        return None
    return device


def device_verify(*, device: TOTPDevice, code: str) -> bool:
    """Check a code; a code already used (same or earlier time step) is refused by django-otp's last_t."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return device.verify_token(code)


def is_throttled(device: TOTPDevice) -> bool:
    """After wrong codes django-otp makes the user wait (1, 2, 4 … seconds) before the next try."""
    allowed, _ = device.verify_is_allowed()
    return not allowed


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data URI, so the secret never leaves the server."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
