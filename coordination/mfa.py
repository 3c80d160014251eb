"""TOTP devices: enrolment with a QR code drawn here (no outside service) and code checks."""
from base64 import b32encode

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "認証アプリ"


def has_confirmed_device(user) -> bool:
    """Whether the user has finished enrolment."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_device(*, user) -> TOTPDevice:
    """The unconfirmed device being enrolled, created on first use; its secret stays until confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name=DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def device_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Confirm an enrolment when the code is right; the code then counts as used."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(code):
            return False
        device.confirmed = True
        device.full_clean()
        device.save(update_fields=["confirmed"])
    return True


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
