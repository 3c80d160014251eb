"""After an import, creating a record the normal way still works: no id is taken twice.

On PostgreSQL a row saved with an explicit id does not move the table's id sequence, so an
import (or a data load) that wrote ids would leave the next ordinary insert colliding with, or
falling behind, the imported rows. These tests import through the real upload flows, with an `id`
column in the file, and then create a record through the services: the new id must come after
every id in the table.
"""

import io
from datetime import date

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models.fields import AutoFieldMixin
from django.urls import reverse

from coordination.clients.models import Client
from coordination.clients.resources import ClientResource
from coordination.clients.services import client_create
from directory.models import Provider, ProviderCategory
from directory.resources import ProviderResource
from directory.services import provider_create

pytestmark = pytest.mark.django_db

# An id column a spreadsheet exported elsewhere may carry; far past any id the test database has.
FOREIGN_ID = 987654


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.TSUNAGU_IMPORT_DIR = tmp_path / "imports"


def xlsx(header: list[str], rows: list[dict[str, object]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", *header])
    for number, row in enumerate(rows):
        sheet.append([FOREIGN_ID + number, *(row.get(column, "") for column in header)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("import.xlsx", buffer.getvalue())


def import_file(client, *, start: str, data: dict) -> None:
    """Uploads, checks the preview has no errors, confirms."""
    response = client.post(start, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(response["Location"])
    report = preview.context["report"]
    assert not report.has_errors, [row.errors for row in report.rows] + report.file_errors
    assert "id" in report.ignored_columns
    staged = preview.context["staged"]
    response = client.post(reverse("imports:confirm", args=[staged.kind.identifier, staged.token]))
    assert response.status_code == 302


def highest_id(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_client_created_after_a_client_import_gets_an_id_after_every_imported_client(
    client, coordinator, demo_office
):
    client.force_login(coordinator)
    rows = [
        {"氏名": "順番 一郎", "フリガナ": "ジュンバン イチロウ", "生年月日": "2020/4/1"},
        {"氏名": "順番 二郎", "フリガナ": "ジュンバン ジロウ", "生年月日": "2021/5/2"},
    ]
    import_file(
        client,
        start=reverse("imports:start"),
        data={"kind": "clients", "file": xlsx(list(ClientResource.example_row), rows)},
    )
    imported = Client.objects.for_office(demo_office).filter(name__startswith="順番 ")
    assert imported.count() == 2 and FOREIGN_ID not in imported.values_list("pk", flat=True)
    before = highest_id(Client)

    created = client_create(
        office=demo_office,
        user=coordinator,
        name="順番 三郎",
        name_kana="ジュンバン サブロウ",
        birth_date=date(2022, 6, 3),
    )

    assert created.pk > before
    assert Client.objects.get(pk=created.pk).name == "順番 三郎"


def test_a_provider_created_after_a_directory_import_gets_an_id_after_every_imported_provider(client, coordinator):
    client.force_login(coordinator)
    rows = [
        {
            "名称": "順番訪問看護ステーション",
            "フリガナ": "じゅんばん",
            "種別": "訪問看護ステーション",
            "区市町村": "北区",
        },
        {
            "名称": "順番相談支援事業所",
            "フリガナ": "じゅんばん そうだん",
            "種別": "訪問看護ステーション",
            "区市町村": "板橋区",
        },
    ]
    import_file(
        client,
        start=reverse("imports:start"),
        data={"kind": "providers", "file": xlsx(list(ProviderResource.example()), rows)},
    )
    imported = Provider.objects.filter(name__startswith="順番")
    assert imported.count() == 2 and FOREIGN_ID not in imported.values_list("pk", flat=True)
    before = highest_id(Provider)

    created = provider_create(
        user=coordinator,
        name="順番こども発達支援センター",
        category=ProviderCategory.objects.get(code="visiting-nurse"),
        municipality="北区",
    )

    assert created.pk > before
    assert Provider.objects.get(pk=created.pk).name == "順番こども発達支援センター"


def next_id(model) -> int:
    """The id the database hands the model's next ordinary insert."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), model._meta.pk.column]
            )
            (sequence,) = cursor.fetchone()
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            last_value, is_called = cursor.fetchone()
            return last_value + 1 if is_called else last_value
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            return (row[0] if row else 0) + 1
    pytest.fail(f"no sequence check for {connection.vendor}")


def test_after_the_reference_lists_and_demo_office_are_loaded_every_table_hands_out_fresh_ids():
    models = [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and isinstance(model._meta.pk, AutoFieldMixin)
    ]
    assert Client in models and Provider in models
    behind = {
        model._meta.label: (next_id(model), highest_id(model))
        for model in models
        if next_id(model) <= highest_id(model)
    }
    assert behind == {}, "next id ≤ highest id"
