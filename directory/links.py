"""A provider's one-time link: the token, what the provider may see and propose, and how a proposal reads.

A coordinator sends the provider a link by e-mail (services.provider_link_send). The link's token
is a random secret signed with the project's SECRET_KEY (salted apart, `django.core.signing`): a
token altered by one character fails the signature before any query. Only the secret's SHA-256 is
stored (ProviderLink.token_hash), so the database alone cannot rebuild a link. Expiry, single use
and "a newer link ends the older" are the link's row (expires_at, used_at, ended_at).

The provider sees and may change only PUBLIC_FIELDS and the acceptance matrix — what the HSDS
export publishes — never the internal note, the verification, the district or contact logs.
"""

import hashlib
import secrets
from dataclasses import dataclass
from enum import Enum

from django.core import signing

from .models import Acceptance, Provider, ProviderLink

SALT = "tsunagu.directory.ProviderLink"

# The provider's own public fields it may correct, in the form's order (all published by HSDS).
PUBLIC_FIELDS = (
    "name",
    "name_kana",
    "postal_code",
    "address",
    "phone",
    "fax",
    "email",
    "url",
    "opening_hours",
    "ages_from",
    "ages_to",
    "services",
    "has_coordinator",
    "vacancy_note",
    "public_note",
)
# A proposal's key for one row of the acceptance matrix.
ACCEPTANCE_PREFIX = "acceptance:"


def new_token() -> tuple[str, str]:
    """(the token the link carries, the hash to store)."""
    secret = secrets.token_urlsafe(32)
    return signing.Signer(salt=SALT).sign(secret), token_hash(secret)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LinkProblem(Enum):
    """Why a link does not open; each has its own sentence on the error page."""

    ALTERED = "altered"  # the signature does not match: altered or mistyped
    UNKNOWN = "unknown"  # signed by us but no such link (the row is gone)
    EXPIRED = "expired"
    USED = "used"
    ENDED = "ended"  # a newer link was sent to the provider

    @property
    def status(self) -> int:
        """404 for a link that is not ours, 410 Gone for one that was ours and no longer works."""
        return 404 if self in (LinkProblem.ALTERED, LinkProblem.UNKNOWN) else 410


@dataclass(frozen=True)
class LinkCheck:
    link: ProviderLink | None
    problem: LinkProblem | None


def link_problem(link: ProviderLink, now) -> LinkProblem | None:
    if link.used_at is not None:
        return LinkProblem.USED
    if link.ended_at is not None:
        return LinkProblem.ENDED
    if link.expires_at <= now:
        return LinkProblem.EXPIRED
    return None


def link_for_token(token: str, now) -> LinkCheck:
    """The link a token names, or why it cannot be used (one query at most)."""
    try:
        secret = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return LinkCheck(None, LinkProblem.ALTERED)
    link = ProviderLink.objects.select_related("provider").filter(token_hash=token_hash(secret)).first()
    if link is None:
        return LinkCheck(None, LinkProblem.UNKNOWN)
    return LinkCheck(link, link_problem(link, now))


def link_by_id(link_id, now) -> LinkCheck:
    """The link kept in the session after it was opened, checked again at every request."""
    link = ProviderLink.objects.select_related("provider").filter(pk=link_id).first() if link_id else None
    if link is None:
        return LinkCheck(None, LinkProblem.UNKNOWN)
    return LinkCheck(link, link_problem(link, now))


def acceptance_key(code: str) -> str:
    return f"{ACCEPTANCE_PREFIX}{code}"


def public_snapshot(provider: Provider, matrix) -> dict:
    """What the provider sees when it opens the link: its public fields and matrix, as JSON values."""
    values = {name: getattr(provider, name) for name in PUBLIC_FIELDS}
    for row in matrix:
        values[acceptance_key(row.procedure.code)] = {"status": row.status, "note": row.note}
    return values


def proposed_changes(base: dict, proposed: dict) -> dict:
    """{key: {"base", "proposed"}} for every key whose proposed value differs from the one seen."""
    return {
        key: {"base": base.get(key), "proposed": value}
        for key, value in proposed.items()
        if key in base and value != base[key]
    }


def value_text(key: str, value) -> str:
    """A proposal's value as the review page shows it."""
    if key.startswith(ACCEPTANCE_PREFIX):
        if not value:
            return Acceptance.UNKNOWN.label
        label = Acceptance(value["status"]).label
        return f"{label}（{value['note']}）" if value.get("note") else label
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return (
            {"has_coordinator": "在籍"}.get(key, "はい")
            if value
            else {"has_coordinator": "在籍なし"}.get(key, "いいえ")
        )
    if key in ("ages_from", "ages_to"):
        return f"{value}歳"
    return str(value)
