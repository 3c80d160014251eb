"""The models of coordination, one module per area (clients/, logs/, events/, referrals/, followups/, needs/).

Django loads an app's models from `<app>.models`: this module imports every area's models so that
they are registered, and other apps may import coordination's models from here.
"""

from coordination.clients.models import (
    CLIENT_HISTORY,
    CONSENT_HISTORY,
    Client,
    ClientStatus,
    Consent,
    ConsentMethod,
    Guardian,
)
from coordination.events.models import Event, EventKind, EventQuerySet, EventScope
from coordination.followups.models import FollowUp, FollowUpQuerySet
from coordination.logs.models import (
    CONTACT_LOG_HISTORY,
    LEAF,
    ActivityType,
    ContactLog,
    ContactLogQuerySet,
    ContactMethod,
    Counterpart,
    SupportKind,
)
from coordination.needs.models import NEED_HISTORY, Need, NeedCategory, NeedNote, NeedQuerySet, NeedStatus
from coordination.referrals.models import REFERRAL_HISTORY, Referral, ReferralQuerySet, ReferralStep, SharedItem
from coordination.referrals.states import ReferralState

__all__ = [
    "NEED_HISTORY",
    "Need",
    "NeedCategory",
    "NeedNote",
    "NeedQuerySet",
    "NeedStatus",
    "CLIENT_HISTORY",
    "CONSENT_HISTORY",
    "REFERRAL_HISTORY",
    "Consent",
    "ConsentMethod",
    "FollowUp",
    "FollowUpQuerySet",
    "Referral",
    "ReferralQuerySet",
    "ReferralState",
    "ReferralStep",
    "SharedItem",
    "CONTACT_LOG_HISTORY",
    "LEAF",
    "ActivityType",
    "Client",
    "ClientStatus",
    "ContactLog",
    "ContactLogQuerySet",
    "ContactMethod",
    "Counterpart",
    "Event",
    "EventKind",
    "EventQuerySet",
    "EventScope",
    "Guardian",
    "SupportKind",
]
