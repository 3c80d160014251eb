"""Reads of referrals, each shaped for one page."""

from dataclasses import dataclass
from datetime import date

from accounts.models import Office
from coordination.clients.models import Client
from coordination.referrals.models import Referral, ReferralStep


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
