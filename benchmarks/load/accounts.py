"""The load test's accounts: names, one password and each one's TOTP key (no Django here).

benchmarks/load/prepare.py creates them; the locustfile signs in with them. The keys are derived
from the user names, so both sides know them without sharing a file. Benchmark databases only.
"""

import hashlib

PASSWORD = "bench-load-password-2026"
ROLES = ("coordinator", "supervisor", "ward")


def username(role: str, number: int) -> str:
    return f"load-{role}-{number:03d}"


def totp_key(name: str) -> str:
    """The hex key of the user's confirmed TOTP device (20 bytes, as django-otp's default)."""
    return hashlib.sha1(f"tsunagu-load-test:{name}".encode()).hexdigest()
