"""Reads of referrals, each shaped for one page."""

from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import Count, Q

from accounts.models import Office
from coordination.clients.models import Client
from coordination.fiscal import FiscalPeriod
from coordination.referrals.models import Referral, ReferralStep
from coordination.referrals.states import ReferralState
from directory.models import Provider


def referrals_for_page(office: Office):
    """An office's referrals with what the referral page shows beside them (client, organization, consent, people)."""
    return Referral.objects.for_office(office).select_related(
        "client",
        "provider__category",
        "organization_category__counterpart_category",
        "consent",
        "consent_override_by",
        "coordinator",
        "created_by",
    )


def referral_steps(referral: Referral):
    """A referral's steps, oldest first, with who made them and their contact logs."""
    return ReferralStep.objects.filter(referral=referral).select_related("by", "contact_log__method")


def referrals_of_client(client: Client):
    """A client's referrals for the client page, newest first, with their organization (one query)."""
    return (
        Referral.objects.filter(client=client)
        .select_related("provider", "organization_category", "coordinator", "consent")
        .order_by("-state_changed_on", "-id")
    )


def referral_list_rows(office: Office):
    """An office's referrals with what the referral list (and its export) shows: one query a page."""
    return Referral.objects.for_office(office).select_related(
        "client", "provider", "organization_category", "coordinator", "consent"
    )


@dataclass(frozen=True)
class ProviderReferralFigures:
    """An office's referrals to one provider sent in a fiscal year, and how they were answered."""

    sent: int
    accepted: int
    declined: int
    median_days_to_answer: float | None  # None: no answer yet


def provider_referral_figures(office, provider: Provider, period: FiscalPeriod) -> ProviderReferralFigures:
    """Referrals sent (依頼済 or later) to `provider` with a request date in `period`; of them, those
    accepted (answered, not declined) and declined, and the median days from request to answer (two queries).
    """
    sent = Referral.objects.for_office(office).filter(
        provider=provider, requested_on__gte=period.start, requested_on__lte=period.end
    )
    declined = Q(state=ReferralState.DECLINED)
    counts = sent.aggregate(
        sent=Count("pk"),
        accepted=Count("pk", filter=Q(answered_on__isnull=False) & ~declined),
        declined=Count("pk", filter=declined),
    )
    days = [
        (answered - requested).days
        for requested, answered in sent.filter(answered_on__isnull=False).values_list("requested_on", "answered_on")
    ]
    return ProviderReferralFigures(
        sent=counts["sent"],
        accepted=counts["accepted"],
        declined=counts["declined"],
        median_days_to_answer=median(days) if days else None,
    )


@dataclass(frozen=True)
class StepEntry:
    """A referral's step on the client page's timeline, beside the logs and follow-ups."""

    on: date
    step: ReferralStep
    kind: str = "referral_step"
    log: None = None


def with_referral_steps(timeline: list, referrals: list[Referral]) -> list:
    """The client's timeline with the steps of its referrals (as read for the page) on their dates, newest first.

    One query: each step takes its referral, with the organization, from `referrals`.
    """
    by_id = {referral.pk: referral for referral in referrals}
    steps = []
    for step in ReferralStep.objects.filter(referral__in=list(by_id)).select_related("by"):
        step.referral = by_id[step.referral_id]
        steps.append(StepEntry(step.on, step))
    # A stable sort on the date alone keeps the timeline's own order within a day, steps first.
    return sorted([*steps, *timeline], key=lambda entry: entry.on, reverse=True)
