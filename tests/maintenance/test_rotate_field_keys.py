"""`manage.py rotate_field_keys`: after a new key is put first, every encrypted value is re-encrypted
under it, so the old key can be dropped; a table with a value no key opens is left as it was."""

import base64

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from common.encryption import encrypted_fields
from coordination.clients.models import Client
from coordination.clients.services import client_create
from coordination.logs.models import ContactLog
from directory.models import Provider

pytestmark = pytest.mark.django_db

KEY_B = base64.b64encode(b"the new key, put first in a turn").decode()
KEY_C = base64.b64encode(b"a key nobody has given to us....").decode()


def raw_columns() -> dict[str, list]:
    """Every encrypted column, as stored, by table."""
    tables = {}
    with connection.cursor() as cursor:
        for model, names in encrypted_fields(apps.get_models()):
            columns = ", ".join(f'"{model._meta.get_field(name).column}"' for name in names)
            cursor.execute(f'SELECT "{model._meta.pk.column}", {columns} FROM "{model._meta.db_table}" ORDER BY 1')
            tables[model._meta.db_table] = cursor.fetchall()
    return tables


def everything_read() -> list[str]:
    """Every encrypted text, through the models and their history (raises if a key is missing)."""
    texts = []
    for model, names in encrypted_fields(apps.get_models()):
        texts += [value for row in model.objects.values_list(*names) for value in row]
    return texts


def test_after_the_rotation_the_old_key_can_go(settings, demo_office, coordinator, capsys):
    key_a = settings.TSUNAGU_FIELD_KEYS[0]  # the demo data and this client are under it
    client_create(office=demo_office, user=coordinator, name="鍵 交換", name_kana="カギ", notes="鍵Aで暗号化")
    texts = sorted(everything_read())
    before = raw_columns()
    assert sum(len(rows) for rows in before.values()) > 0

    settings.TSUNAGU_FIELD_KEYS = [KEY_B, key_a]
    call_command("rotate_field_keys", chunk_size=7)  # several chunks per table
    after = raw_columns()
    for table, rows in before.items():
        # Same rows, every non-empty value a new token; the empty ones stay empty.
        assert [row[0] for row in after[table]] == [row[0] for row in rows]
        for old, new in zip(rows, after[table]):
            assert all((o == n == "") or (o and n and o != n) for o, n in zip(old[1:], new[1:])), table
    assert "coordination_historicalclient:" in capsys.readouterr().out

    settings.TSUNAGU_FIELD_KEYS = [KEY_B]
    assert sorted(everything_read()) == texts
    assert "鍵Aで暗号化" in texts
    assert Client.objects.exclude(notes="").exists()
    assert ContactLog.objects.exclude(confidential_notes="").exists()
    assert Provider.objects.exclude(internal_note="").exists()


def test_a_table_with_a_value_no_key_opens_is_left_as_it_was(settings, demo_office, coordinator):
    key_a = settings.TSUNAGU_FIELD_KEYS[0]
    settings.TSUNAGU_FIELD_KEYS = [KEY_C]
    client_create(office=demo_office, user=coordinator, name="鍵 不明", name_kana="フメイ", notes="誰も知らない鍵")
    before = raw_columns()

    settings.TSUNAGU_FIELD_KEYS = [KEY_B, key_a]
    with pytest.raises(CommandError, match="この表は何も変えていません") as error:
        call_command("rotate_field_keys")
    failed = str(error.value).split(":")[0]
    assert failed in {"coordination_client", "coordination_historicalclient"}
    assert raw_columns()[failed] == before[failed]
