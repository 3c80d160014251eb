"""Confidential notes are encrypted at rest (common/encryption.py): a client's メモ（要配慮）, a log's
記録（要配慮）and a provider's 内部メモ, in their tables and in their change history alike."""

import base64
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.urls import reverse

from common.encryption import FieldKeyError, decrypt_text
from coordination.clients.models import Client
from coordination.clients.services import client_create, client_update
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from coordination.logs.services import CounterpartEntry, contact_log_create
from directory import services as directory_services
from directory.models import CounterpartCategory, Provider, ProviderCategory

pytestmark = pytest.mark.django_db

CLIENT_NOTE = "暗号化試験：母が夜間の吸引に不安"
LOG_NOTE = "暗号化試験：父の就労状況について相談"
PROVIDER_NOTE = "暗号化試験：管理者と折り合いが悪い"
OTHER_KEY = base64.b64encode(b"someone else's key, not ours!!!!").decode()


@pytest.fixture
def saved(demo_office, coordinator):
    """A client, a log and a provider with confidential texts, each saved twice (two history rows)."""
    client = client_create(office=demo_office, user=coordinator, name="暗号 試験", name_kana="アンゴウ", notes="初回")
    client = client_update(
        client=client,
        user=coordinator,
        expected_version=client.version,
        name="暗号 試験",
        name_kana="アンゴウ",
        notes=CLIENT_NOTE,
    )
    log = contact_log_create(
        office=demo_office,
        coordinator=coordinator,
        occurred_on=date(2025, 4, 1),
        method=ContactMethod.objects.get(code="phone"),
        activity_types=[ActivityType.objects.get(code="discharge")],
        counterparts=[CounterpartEntry(category=CounterpartCategory.objects.get(code="party-parent-mother"))],
        client=client,
        confidential_notes=LOG_NOTE,
    )
    provider = directory_services.provider_create(
        user=coordinator,
        name="暗号訪問看護ステーション",
        category=ProviderCategory.objects.get(code="visiting-nurse"),
        internal_note=PROVIDER_NOTE,
    )
    return SimpleNamespace(client=client, log=log, provider=provider)


def stored(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}"')
        return [value for (value,) in cursor.fetchall()]


COLUMNS = [
    ("coordination_client", "notes", CLIENT_NOTE),
    ("coordination_historicalclient", "notes", CLIENT_NOTE),
    ("coordination_contactlog", "confidential_notes", LOG_NOTE),
    ("coordination_historicalcontactlog", "confidential_notes", LOG_NOTE),
    ("directory_provider", "internal_note", PROVIDER_NOTE),
    ("directory_historicalprovider", "internal_note", PROVIDER_NOTE),
]


@pytest.mark.parametrize(("table", "column", "text"), COLUMNS)
def test_the_database_holds_the_texts_only_encrypted(saved, table, column, text):
    values = stored(table, column)
    assert not any("暗号化試験" in value for value in values)
    assert all(value.startswith("gAAAAA") for value in values if value)  # Fernet tokens, version 0x80
    assert text in {decrypt_text(value) for value in values}  # there all the same, history included


def test_the_models_and_their_history_read_the_texts(saved):
    assert Client.objects.get(pk=saved.client.pk).notes == CLIENT_NOTE
    assert [h.notes for h in saved.client.history.order_by("history_id")] == ["初回", CLIENT_NOTE]
    assert ContactLog.objects.get(pk=saved.log.pk).confidential_notes == LOG_NOTE
    assert saved.log.history.get().confidential_notes == LOG_NOTE
    assert Provider.objects.values_list("internal_note", flat=True).get(pk=saved.provider.pk) == PROVIDER_NOTE
    assert saved.provider.history.get().internal_note == PROVIDER_NOTE


def test_the_pages_show_the_texts_to_those_allowed(client, coordinator, ward_staff, saved):
    client.force_login(coordinator)
    assert CLIENT_NOTE in client.get(reverse("client_detail", args=[saved.client.pk])).content.decode()
    assert LOG_NOTE in client.get(reverse("log_detail", args=[saved.log.pk])).content.decode()
    provider_page = reverse("directory:provider_detail", args=[saved.provider.pk])
    assert PROVIDER_NOTE in client.get(provider_page).content.decode()
    client.force_login(ward_staff)
    page = client.get(provider_page)
    assert page.status_code == 200 and PROVIDER_NOTE not in page.content.decode()


def test_the_log_search_does_not_look_into_the_confidential_notes(client, coordinator, saved):
    client.force_login(coordinator)
    page = client.get(reverse("log_list"), {"q": "就労状況"})
    assert page.status_code == 200
    assert reverse("log_detail", args=[saved.log.pk]) not in page.content.decode()


def test_a_wrong_key_is_a_clear_error_not_the_token_shown_as_text(settings, saved):
    settings.TSUNAGU_FIELD_KEYS = [OTHER_KEY]
    with pytest.raises(FieldKeyError, match=r"coordination\.Client\.notes.*TSUNAGU_FIELD_KEYS"):
        Client.objects.get(pk=saved.client.pk)
    with pytest.raises(FieldKeyError, match=r"directory\.HistoricalProvider\.internal_note"):
        list(saved.provider.history.all())


def test_empty_texts_stay_empty_and_can_be_told_apart(demo_office, coordinator):
    client = client_create(office=demo_office, user=coordinator, name="空 欄", name_kana="カラ")
    assert stored("coordination_client", "notes").count("") >= 1
    assert Client.objects.filter(pk=client.pk, notes="").exists()
    assert not Client.objects.filter(pk=client.pk).exclude(notes="").exists()


@pytest.mark.parametrize("lookup", [{"notes": "母"}, {"notes__icontains": "母"}, {"notes__startswith": "g"}])
def test_searching_an_encrypted_column_is_refused_rather_than_finding_nothing(lookup):
    with pytest.raises(FieldError, match="encrypted"):
        Client.objects.filter(**lookup).exists()
