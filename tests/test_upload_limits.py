"""Uploads that would exhaust the server are refused before they are parsed: zip bombs, endless rows."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coordination.clients.models import Client
from coordination.clients.resources import ClientResource
from directory.models import Provider
from directory.resources import ProviderResource
from tabular import spreadsheets

pytestmark = pytest.mark.django_db

ZIP_BOMB_MESSAGE = "このファイルは展開すると大きくなりすぎるため取り込めません"
TOO_MANY_COLUMNS = "列が多すぎます（200列まで）"

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def workbook(headers: list[str]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headers)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet_inflating_to(real_workbook: bytes, size: int) -> bytes:
    """The real workbook with its sheet XML padded by whitespace to `size` bytes once inflated.

    Written a megabyte at a time with deflate, so the test holds neither the XML nor a big file:
    the result is a valid .xlsx of about size/1000 bytes.
    """
    source = zipfile.ZipFile(io.BytesIO(real_workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(member, source.read(member.filename))
                continue
            with archive.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(SHEET_HEAD)
                chunk = b" " * (1024 * 1024)
                for _ in range(size // len(chunk)):
                    sheet.write(chunk)
                sheet.write(SHEET_TAIL)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def client_bomb() -> bytes:
    return with_sheet_inflating_to(workbook(list(ClientResource.example_row)), 120 * 1024 * 1024)


@pytest.fixture
def provider_bomb(db) -> bytes:
    return with_sheet_inflating_to(workbook(list(ProviderResource.example())), 120 * 1024 * 1024)


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.TSUNAGU_IMPORT_DIR = tmp_path / "imports"
    return settings.TSUNAGU_IMPORT_DIR


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    """Fails the test if the upload reaches openpyxl: the checks must come before parsing."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file that should have been refused first")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def post_measuring_memory(client, url: str, data: dict):
    """The response, and the peak of Python memory allocated while the server handled it."""
    tracemalloc.start()
    try:
        response = client.post(url, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


def test_the_zip_bomb_is_small_on_disk_and_a_valid_workbook_zip(client_bomb):
    assert len(client_bomb) < 1024 * 1024
    members = zipfile.ZipFile(io.BytesIO(client_bomb)).infolist()
    assert sum(member.file_size for member in members) > 120 * 1024 * 1024
    assert {"xl/workbook.xml", "[Content_Types].xml"} <= {member.filename for member in members}


def test_a_zip_bomb_is_refused_by_the_client_import_before_parsing_and_nothing_is_saved(
    client, coordinator, client_bomb, import_dir, openpyxl_must_not_open
):
    client.force_login(coordinator)
    count = Client.objects.count()
    response, peak = post_measuring_memory(
        client, reverse("imports:start"), {"kind": "clients", "file": SimpleUploadedFile("clients.xlsx", client_bomb)}
    )
    assert response.status_code == 200
    assert ZIP_BOMB_MESSAGE in response.content.decode()
    assert Client.objects.count() == count
    assert not import_dir.exists() or not any(import_dir.iterdir())
    assert peak < 30 * 1024 * 1024


def test_a_zip_bomb_is_refused_by_the_provider_import_before_parsing_and_nothing_is_saved(
    client, coordinator, provider_bomb, import_dir, openpyxl_must_not_open
):
    client.force_login(coordinator)
    count = Provider.objects.count()
    response, peak = post_measuring_memory(
        client,
        reverse("imports:start"),
        {"kind": "providers", "file": SimpleUploadedFile("providers.xlsx", provider_bomb)},
    )
    assert response.status_code == 200
    assert ZIP_BOMB_MESSAGE in response.content.decode()
    assert Provider.objects.count() == count
    assert not import_dir.exists() or not any(import_dir.iterdir())
    assert peak < 30 * 1024 * 1024


def test_a_member_compressed_like_filler_is_refused_even_when_its_total_is_small(openpyxl_must_not_open):
    bomb = with_sheet_inflating_to(workbook(["氏名"]), 3 * 1024 * 1024)
    with pytest.raises(spreadsheets.UploadError, match=ZIP_BOMB_MESSAGE):
        spreadsheets.read_upload("clients.xlsx", bomb)


def test_a_workbook_zip_with_thousands_of_members_is_refused(openpyxl_must_not_open):
    source = zipfile.ZipFile(io.BytesIO(workbook(["氏名"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            archive.writestr(name, source.read(name))
        for number in range(spreadsheets.MAX_ZIP_MEMBERS):
            archive.writestr(f"xl/media/{number}.bin", b"")
    with pytest.raises(spreadsheets.UploadError, match=ZIP_BOMB_MESSAGE):
        spreadsheets.read_upload("clients.xlsx", buffer.getvalue())


def test_a_real_workbook_of_10000_rows_is_not_taken_for_a_bomb():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["氏名", "フリガナ", "生年月日", "備考"])
    for number in range(10_000):
        sheet.append([f"北 花子{number}", "キタ ハナコ", "2019/5/15", "" if number % 3 else "吸引あり"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(spreadsheets.read_upload("clients.xlsx", buffer.getvalue()).dataset) == 10_000


def test_a_csv_line_of_endless_commas_is_refused_with_a_japanese_message(client, coordinator, import_dir):
    client.force_login(coordinator)
    content = ("氏名" + "," * (4 * 1024 * 1024)).encode("utf-8")
    response = client.post(
        reverse("imports:start"), {"kind": "clients", "file": SimpleUploadedFile("clients.csv", content)}
    )
    assert response.status_code == 200
    assert TOO_MANY_COLUMNS in response.content.decode()
    assert not import_dir.exists() or not any(import_dir.iterdir())


def test_a_csv_field_longer_than_the_csv_module_allows_gets_a_japanese_message():
    content = ("氏名\n" + "あ" * 200_000).encode("utf-8")
    with pytest.raises(spreadsheets.UploadError, match="CSV ファイルとして読めません"):
        spreadsheets.read_upload("clients.csv", content)


def test_a_sheet_wider_than_200_columns_is_refused_and_a_sheet_padded_to_its_width_is_not():
    book = openpyxl.Workbook()
    book.active.append([f"列{n}" for n in range(201)])
    wide = io.BytesIO()
    book.save(wide)
    with pytest.raises(spreadsheets.UploadError, match=TOO_MANY_COLUMNS):
        spreadsheets.read_upload("clients.xlsx", wide.getvalue())

    book = openpyxl.Workbook()
    book.active.append(["氏名"])
    book.active["ZZ5"].number_format = "@"  # a formatted but empty cell far to the right
    padded = io.BytesIO()
    book.save(padded)
    assert spreadsheets.read_upload("clients.xlsx", padded.getvalue()).dataset.headers == ["氏名"]
