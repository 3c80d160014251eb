"""Reads of referrals, each shaped for one page."""

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


def referral_steps_of_client(client: Client):
    """A client's referral steps for the timeline on the client page (one query)."""
    return (
        ReferralStep.objects.filter(referral__client=client)
        .select_related("referral__provider", "by", "contact_log")
        .order_by("-on", "-id")
    )


def referral_list_rows(office: Office):
    """An office's referrals with what the referral list (and its export) shows: one query a page."""
    return Referral.objects.for_office(office).select_related(
        "client", "provider", "organization_category", "coordinator", "consent"
    )
