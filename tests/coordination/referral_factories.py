"""Small factories for the referral tests: a client with a guardian, a consent, a referral in any state."""

from datetime import date

from accounts.models import Office, User
from coordination.clients.models import Client, Consent
from coordination.referrals.models import Referral, SharedItem
from coordination.referrals.services import referral_create
from directory.models import Provider, ProviderCategory
from tests.coordination.client_factories import make_client, make_guardian

START = date(2025, 4, 1)


def a_provider() -> Provider:
    return Provider.objects.active().select_related("category").order_by("pk").first()


def make_consent(client: Client, recorded_by: User, *, given_on: date = START, categories=(), **fields) -> Consent:
    fields.setdefault("given_by", "母")
    consent = Consent.objects.create(client=client, given_on=given_on, recorded_by=recorded_by, **fields)
    consent.categories.set(categories)
    return consent


def make_referral_client(office: Office, name: str = "紡 つむぎ") -> Client:
    client = make_client(
        office, name=name, name_kana="ツムギ ツムギ", birth_date=date(2021, 5, 3), procedures=["ventilator"]
    )
    make_guardian(client, name="紡 由美", phone="03-1111-2222", is_primary=True)
    return client


def make_referral(
    office: Office, coordinator: User, *, client: Client | None = None, provider: Provider | None = None, on=START
) -> Referral:
    client = client or make_referral_client(office)
    return referral_create(
        office=office,
        created_by=coordinator,
        client=client,
        provider=provider or a_provider(),
        purpose="訪問看護の利用に向けた相談",
        coordinator=coordinator,
        procedures=list(client.procedures.all()),
        shared_items=[SharedItem.IDENTITY, SharedItem.GUARDIAN_CONTACT, SharedItem.PROCEDURES],
        shared_note="夜間の吸引が多い",
        on=on,
    )


def other_category(category: ProviderCategory) -> ProviderCategory:
    return ProviderCategory.objects.exclude(pk=category.pk).order_by("position").first()
