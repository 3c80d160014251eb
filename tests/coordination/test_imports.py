"""Importing clients and contact logs from .xlsx/.csv: templates, preview, all-or-nothing, re-import, safety."""

import csv
import io
import os
import time as time_module
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Office, User
from coordination.clients.models import Client
from coordination.clients.resources import ClientResource
from coordination.logs.models import ContactLog
from coordination.logs.resources import ContactLogImportResource
from directory.models import District, MedicalCareProcedure, Provider
from tabular.imports import KINDS, run_import
from tabular.spreadsheets import read_upload

pytestmark = pytest.mark.django_db

START = reverse("imports:start")
CLIENT_HEADERS = list(ClientResource.example_row)
LOG_HEADERS = list(ContactLogImportResource.example_row)


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.TSUNAGU_IMPORT_DIR = tmp_path / "imports"
    return settings.TSUNAGU_IMPORT_DIR


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def xlsx(
    rows: list[list], *, formulas: dict[str, str] | None = None, text_cells: dict[str, str] | None = None
) -> bytes:
    """A workbook of the rows; `formulas` puts real formulas in cells, `text_cells` text that starts with `=`."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    for ref, text in (text_cells or {}).items():
        sheet[ref] = text
        sheet[ref].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def client_row(**values) -> list:
    row = dict.fromkeys(CLIENT_HEADERS, "")
    row.update(values)
    return [row[header] for header in CLIENT_HEADERS]


def log_row(**values) -> list:
    row = dict.fromkeys(LOG_HEADERS, "")
    row.update(values)
    return [row[header] for header in LOG_HEADERS]


def upload(client, content: bytes, name: str, kind: str = "clients"):
    return client.post(START, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def preview(client, content: bytes, name: str = "clients.xlsx", kind: str = "clients"):
    """Uploads and follows to the preview page."""
    response = upload(client, content, name, kind)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"])


def confirm(client, preview_response):
    staged = preview_response.context["staged"]
    return client.post(reverse("imports:confirm", args=[staged.kind.identifier, staged.token]))


HANAKO = {"氏名": "北 花子", "フリガナ": "キタ ハナコ", "生年月日": "2019/5/15"}
TARO = {"氏名": "北 太郎", "フリガナ": "きた たろう", "生年月日": "H30.2.3"}


# --- access ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(START)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["supervisor", "ward"])
def test_only_coordinators_may_import(client, username):
    client.force_login(User.objects.get(username=username))
    token = "a" * 32
    assert client.get(START).status_code == 403
    assert client.post(START, {"kind": "clients"}).status_code == 403
    assert client.get(reverse("imports:template", args=["clients", "xlsx"])).status_code == 403
    assert client.get(reverse("imports:preview", args=["clients", token])).status_code == 403
    assert client.post(reverse("imports:confirm", args=["clients", token])).status_code == 403
    assert client.post(reverse("imports:cancel", args=["clients", token])).status_code == 403


def test_the_log_list_offers_the_import_to_coordinators(signed_in):
    assert reverse("imports:start") in signed_in.get(reverse("log_list")).content.decode()


def test_the_client_list_offers_the_client_import_to_coordinators_only(signed_in, client, supervisor):
    assert f"{START}?kind=clients" in signed_in.get(reverse("client_list")).content.decode()
    client.force_login(supervisor)
    assert START not in client.get(reverse("client_list")).content.decode()


def test_the_upload_page_lists_clients_then_logs_then_providers(signed_in):
    kinds = [kind.identifier for kind in signed_in.get(START).context["kinds"]]
    assert kinds == ["clients", "logs", "providers"]


# --- templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "headers"), [("clients", CLIENT_HEADERS), ("logs", LOG_HEADERS)])
def test_each_template_downloads_as_xlsx_and_csv_with_the_header_and_an_example(signed_in, kind, headers):
    response = signed_in.get(reverse("imports:template", args=[kind, "xlsx"]))
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == headers
    assert len(rows) == 2 and rows[1][0]
    text = signed_in.get(reverse("imports:template", args=[kind, "csv"])).getvalue().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[0] == headers


@pytest.mark.parametrize("kind", ["clients", "logs", "providers"])
def test_a_template_writes_no_formula_and_escapes_text_that_would_start_one(signed_in, monkeypatch, kind):
    template = reverse("imports:template", args=[kind, "xlsx"])
    sheet = openpyxl.load_workbook(io.BytesIO(signed_in.get(template).getvalue())).active
    assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]

    # An example that looks like a formula (a future column's sample) is escaped like any export.
    monkeypatch.setattr(KINDS[kind].resource_class, "example", classmethod(lambda cls: {"=列": "@SUM(A1)"}))
    sheet = openpyxl.load_workbook(io.BytesIO(signed_in.get(template).getvalue())).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["'=列"], ["'@SUM(A1)"]]
    text = signed_in.get(reverse("imports:template", args=[kind, "csv"])).getvalue().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["'=列"], ["'@SUM(A1)"]]


def test_the_templates_name_every_column_the_import_reads(demo_office, coordinator):
    for resource_class, headers in ((ClientResource, CLIENT_HEADERS), (ContactLogImportResource, LOG_HEADERS)):
        assert resource_class(office=demo_office, user=coordinator).columns() == headers


def test_an_unknown_template_is_not_found(signed_in):
    assert signed_in.get(reverse("imports:template", args=["events", "xlsx"])).status_code == 404
    assert signed_in.get(reverse("imports:template", args=["clients", "pdf"])).status_code == 404


def test_the_example_rows_of_both_templates_import_clients_first(signed_in, demo_office):
    for kind in ("clients", "logs"):
        template = signed_in.get(reverse("imports:template", args=[kind, "xlsx"])).getvalue()
        page = preview(signed_in, template, f"{kind}.xlsx", kind)
        assert not page.context["report"].has_errors, page.context["report"].rows
        assert confirm(signed_in, page).status_code == 302
    hanako = Client.objects.get(office=demo_office, name="北 花子")
    log = ContactLog.objects.get(client=hanako)
    assert log.method.code == "phone"
    assert {c.category.code for c in log.counterparts.all()} == {"party-parent-mother", "medical-visiting-nurse"}
    assert {t.code for t in log.activity_types.all()} == {"home-medical-nursing", "service-adjustment"}


# --- clients -----------------------------------------------------------------------------------


def test_the_preview_shows_what_would_happen_and_saves_nothing(signed_in, demo_office):
    before = Client.objects.count()
    page = preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO), client_row(**TARO)]))
    text = page.content.decode()
    assert page.status_code == 200
    assert page.context["report"].counts["new"] == 2
    assert "まだ何も保存していません" in text and "取り込む" in text
    assert "北 花子（キタ ハナコ）" in text
    assert Client.objects.count() == before


def test_confirming_imports_the_clients_by_their_natural_keys(signed_in, demo_office, coordinator):
    row = client_row(
        **TARO,
        地区="王子",
        医療的ケア="あり",
        医療的ケアの内容="経管栄養、吸引",
        状況="見守り",
        担当コーディネーター="coordinator",
        情報共有の同意日="令和7年4月1日",
        同意の範囲="保育園",
    )
    page = preview(signed_in, csv_bytes([CLIENT_HEADERS, row]), "clients.csv")
    response = confirm(signed_in, page)
    assert response.status_code == 302 and response["Location"] == reverse("client_list")
    taro = Client.objects.get(office=demo_office, name="北 太郎")
    assert taro.name_kana == "キタ タロウ"
    assert taro.birth_date == date(2018, 2, 3)
    assert taro.district.name == "王子地区"
    assert sorted(p.name for p in taro.procedures.all()) == ["吸引", "経管栄養"]
    assert taro.status == "watching"
    assert taro.assigned_coordinator == coordinator
    assert taro.consent_obtained_on == date(2025, 4, 1)
    follow = signed_in.get(response["Location"])
    assert "取り込みました（追加 1件、更新 0件、変更なし 0件）" in follow.content.decode()


def test_reimporting_the_same_file_changes_nothing(signed_in, demo_office):
    content = xlsx(
        [CLIENT_HEADERS, client_row(**HANAKO, 医療的ケア="あり", 医療的ケアの内容="吸引"), client_row(**TARO)]
    )
    confirm(signed_in, preview(signed_in, content))
    saved = {c.pk: c.updated_at for c in Client.objects.filter(office=demo_office, name__startswith="北 ")}
    page = preview(signed_in, content)
    report = page.context["report"]
    assert [row.action for row in report.rows] == ["skip", "skip"]
    assert "取り込む変更はありません" in page.content.decode()
    assert reverse("imports:confirm", args=["clients", page.context["staged"].token]) not in page.content.decode()
    confirm(signed_in, page)
    assert {c.pk: c.updated_at for c in Client.objects.filter(office=demo_office, name__startswith="北 ")} == saved


def test_a_client_found_by_name_kana_and_birth_date_is_updated_not_duplicated(signed_in, demo_office):
    confirm(signed_in, preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)])))
    # Width, hiragana and spaces do not make another person.
    changed = client_row(氏名="北　花子", フリガナ="ｷﾀ ﾊﾅｺ", 生年月日="2019-05-15", 状況="終結")
    page = preview(signed_in, xlsx([CLIENT_HEADERS, changed]))
    assert [row.action for row in page.context["report"].rows] == ["update"]
    confirm(signed_in, page)
    hanako = Client.objects.get(office=demo_office, name="北 花子")
    assert hanako.status == "closed"


def test_an_update_keeps_the_guardians_and_fields_the_file_does_not_have(signed_in, demo_office):
    existing = Client.objects.for_office(demo_office).filter(guardians__isnull=False).first()
    guardians = list(existing.guardians.values_list("name", flat=True))
    version = existing.version
    row = {
        "氏名": existing.name,
        "フリガナ": existing.name_kana,
        "生年月日": existing.birth_date.isoformat(),
        "同意の範囲": "新しい範囲",
    }
    content = csv_bytes([list(row), list(row.values())])
    page = preview(signed_in, content, "clients.csv")
    assert [r.action for r in page.context["report"].rows] == ["update"]
    confirm(signed_in, page)
    existing.refresh_from_db()
    assert existing.consent_scope == "新しい範囲"
    assert list(existing.guardians.values_list("name", flat=True)) == guardians
    # An import passes no version read on a page: it updates, and an edit open meanwhile is now stale.
    assert existing.version == version + 1


def test_blank_cells_keep_what_is_saved(signed_in, demo_office):
    existing = (
        Client.objects.for_office(demo_office)
        .filter(district__isnull=False, assigned_coordinator__isnull=False, procedures__isnull=False)
        .first()
    )
    procedures = sorted(existing.procedures.values_list("name", flat=True))
    row = client_row(
        氏名=existing.name, フリガナ=existing.name_kana, 生年月日=existing.birth_date.isoformat(), 状況="見守り"
    )
    page = preview(signed_in, xlsx([CLIENT_HEADERS, row]))
    assert [r.action for r in page.context["report"].rows] == ["update"]
    confirm(signed_in, page)
    existing.refresh_from_db()
    assert existing.status == "watching"
    assert existing.district is not None and existing.assigned_coordinator is not None and existing.has_medical_care
    assert sorted(existing.procedures.values_list("name", flat=True)) == procedures
    assert [r.action for r in preview(signed_in, xlsx([CLIENT_HEADERS, row])).context["report"].rows] == ["skip"]


def test_bad_rows_get_japanese_errors_by_row_and_column_and_nothing_is_saved(signed_in, demo_office):
    rows = [
        CLIENT_HEADERS,
        client_row(**HANAKO),
        client_row(氏名="", フリガナ="ナナシ", 生年月日="2020/1/1"),
        client_row(**{**TARO, "生年月日": "来年"}),
        client_row(
            氏名="北 次郎",
            生年月日="2017/1/1",
            地区="月面",
            医療的ケア="たぶん",
            状況="保留",
            担当コーディネーター="だれか",
        ),
        client_row(氏名="北 三郎", 生年月日="2016/1/1", 医療的ケア="なし", 医療的ケアの内容="吸引、空を飛ぶ"),
    ]
    before = Client.objects.count()
    page = preview(signed_in, xlsx(rows))
    report = page.context["report"]
    errors = {(row.number, column): message for row in report.error_rows for column, message in row.errors}
    assert errors[(3, "氏名")] == "氏名を入力してください。"
    assert "日付として読み取れません" in errors[(4, "生年月日")]
    assert "「月面」はこの事業所の地区にありません" in errors[(5, "地区")]
    assert "「たぶん」は「あり」か「なし」で書いてください。" == errors[(5, "医療的ケア")]
    assert "「保留」は選べません" in errors[(5, "状況")]
    assert "「だれか」という職員はこの事業所にいません" in errors[(5, "担当コーディネーター")]
    assert "「空を飛ぶ」という医療的ケアはありません" in errors[(6, "医療的ケアの内容")]
    text = page.content.decode()
    assert "エラーのある行が4行あります" in text
    assert "3行目" in text and "氏名を入力してください。" in text
    assert reverse("imports:confirm", args=["clients", page.context["staged"].token]) not in text
    # Confirming anyway (a stale page) refuses and saves nothing, not even the good row.
    response = confirm(signed_in, page)
    assert response.status_code == 422
    assert "何も取り込みませんでした" in response.content.decode()
    assert Client.objects.count() == before


def test_the_same_client_twice_in_a_file_is_an_error(signed_in):
    page = preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO), client_row(**HANAKO, 状況="見守り")]))
    errors = page.context["report"].error_rows
    assert [row.number for row in errors] == [3]
    assert "2行目にもあります" in errors[0].errors[0][1]


def test_a_future_birth_date_is_refused(signed_in):
    page = preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**{**HANAKO, "生年月日": "2099/1/1"})]))
    assert "未来の日付は入力できません" in page.context["report"].error_rows[0].errors[0][1]


def test_a_formula_cell_is_refused_and_text_starting_with_equals_is_kept_as_text(signed_in, demo_office):
    rows = [CLIENT_HEADERS, client_row(**HANAKO), client_row(**TARO)]
    column = openpyxl.utils.get_column_letter(CLIENT_HEADERS.index("区外の住所地") + 1)
    content = xlsx(rows, formulas={f"{column}2": "=1+1"}, text_cells={f"{column}3": "=港区"})
    page = preview(signed_in, content)
    report = page.context["report"]
    assert [(row.number, row.errors) for row in report.error_rows] == [
        (2, [("区外の住所地", "数式は取り込めません。値だけを入力してください。")])
    ]
    assert not Client.objects.filter(office=demo_office, name="北 花子").exists()
    # Without the formula the text cell imports as text, never evaluated.
    page = preview(signed_in, xlsx(rows[:1] + rows[2:], text_cells={f"{column}2": "=港区"}))
    confirm(signed_in, page)
    assert Client.objects.get(office=demo_office, name="北 太郎").municipality_outside == "=港区"


def test_csv_cells_starting_with_formula_characters_are_stored_as_text(signed_in, demo_office):
    row = client_row(**TARO, 情報共有の同意日="2025/4/1", 同意の範囲="@SUM(1+1)")
    confirm(signed_in, preview(signed_in, csv_bytes([CLIENT_HEADERS, row]), "c.csv"))
    assert Client.objects.get(office=demo_office, name="北 太郎").consent_scope == "@SUM(1+1)"


def test_a_cp932_csv_is_read(signed_in):
    page = preview(signed_in, csv_bytes([CLIENT_HEADERS, client_row(**HANAKO)], encoding="cp932"), "sjis.csv")
    assert page.context["report"].counts["new"] == 1


def test_a_file_without_the_key_columns_is_refused_as_a_whole(signed_in):
    page = preview(signed_in, csv_bytes([["名前", "生まれ"], ["北 花子", "2019/5/15"]]), "c.csv")
    report = page.context["report"]
    assert report.file_errors == [
        "必要な列がありません：氏名、フリガナ、生年月日。ひな形の1行目の見出しをそのまま使ってください。"
    ]
    assert "名前" in report.ignored_columns


# --- queries -----------------------------------------------------------------------------------


def clients_on_file(office, coordinator, count: int) -> list[list]:
    """`count` saved clients with a district, a coordinator and a procedure, and the rows naming
    them as they are saved (so a re-import leaves them unchanged)."""
    district = District.objects.get(name="王子地区")
    suction = MedicalCareProcedure.objects.get(name="吸引")
    clients = Client.objects.bulk_create(
        Client(
            office=office,
            name=f"件数 {number:05d}",
            name_kana="ケンスウ",
            birth_date=date(2010, 1, 1),
            district=district,
            has_medical_care=True,
            assigned_coordinator=coordinator,
        )
        for number in range(count)
    )
    Client.procedures.through.objects.bulk_create(
        Client.procedures.through(client_id=client.pk, medicalcareprocedure_id=suction.pk) for client in clients
    )
    return [
        client_row(
            氏名=client.name,
            フリガナ=client.name_kana,
            生年月日="2010/1/1",
            地区="王子地区",
            医療的ケア="あり",
            医療的ケアの内容="吸引",
            状況="支援中",
            担当コーディネーター="coordinator",
        )
        for client in clients
    ]


def queries_to_import(office, coordinator, rows: list[list], *, dry_run: bool) -> int:
    sheet = read_upload("clients.csv", csv_bytes([CLIENT_HEADERS, *rows]))
    resource = ClientResource(office=office, user=coordinator, sheet=sheet)
    with CaptureQueriesContext(connection) as queries:
        report = run_import(resource=resource, kind=KINDS["clients"], sheet=sheet, dry_run=dry_run)
    assert not report.has_errors, report.error_rows[:3]
    assert report.counts["skip"] == len(rows)
    return len(queries)


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "confirm"])
def test_a_10000_row_client_file_takes_no_more_queries_than_a_100_row_one(demo_office, coordinator, dry_run):
    # Each row is looked up, compared and skipped: the lookups are loaded once for the whole file.
    rows = clients_on_file(demo_office, coordinator, 10_000)
    few = queries_to_import(demo_office, coordinator, rows[:100], dry_run=dry_run)
    many = queries_to_import(demo_office, coordinator, rows, dry_run=dry_run)
    assert many <= few + 2


def new_client_rows(count: int, tag: str) -> list[list]:
    return [
        client_row(
            氏名=f"新規{tag} {number:05d}",
            フリガナ=f"シンキ{tag} {number:05d}",
            生年月日="2012/4/2",
            地区="王子地区",
            医療的ケア="あり",
            医療的ケアの内容="吸引",
            担当コーディネーター="coordinator",
        )
        for number in range(count)
    ]


def queries_to_add(office, coordinator, rows: list[list], *, dry_run: bool) -> int:
    sheet = read_upload("clients.csv", csv_bytes([CLIENT_HEADERS, *rows]))
    resource = ClientResource(office=office, user=coordinator, sheet=sheet)
    with CaptureQueriesContext(connection) as queries:
        report = run_import(resource=resource, kind=KINDS["clients"], sheet=sheet, dry_run=dry_run)
    assert not report.has_errors, report.error_rows[:3]
    assert report.counts["new"] == len(rows)
    return len(queries)


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "confirm"])
def test_new_clients_are_saved_in_batches_not_one_by_one(demo_office, coordinator, dry_run):
    # Every row is checked on its own (its errors are its row's); the new clients are then inserted
    # together, a batch at a time (SQLite about 1,700 clients a statement, PostgreSQL 1,000): 10,000
    # rows take a few dozen statements more than 100 rows, where one by one they took 60,000.
    few = queries_to_add(demo_office, coordinator, new_client_rows(100, "A"), dry_run=dry_run)
    many = queries_to_add(demo_office, coordinator, new_client_rows(10_000, "B"), dry_run=dry_run)
    assert many <= few + 60


def test_clients_saved_in_a_batch_have_their_procedures_and_a_history_record(signed_in, demo_office, coordinator):
    queries_to_add(demo_office, coordinator, new_client_rows(3, "C"), dry_run=False)
    client = Client.objects.get(office=demo_office, name="新規C 00001")
    assert (client.name_kana, client.district.name, client.assigned_coordinator) == (
        "シンキC 00001",
        "王子地区",
        coordinator,
    )
    assert [p.name for p in client.procedures.all()] == ["吸引"]
    record = client.history.get()
    assert (record.history_type, record.history_user) == ("+", coordinator)
    assert [p.medicalcareprocedure.name for p in record.procedures.all()] == ["吸引"]
    page = signed_in.get(reverse("client_detail", args=[client.pk])).content.decode()
    assert "新規C 00001" in page and "吸引" in page


# --- contact logs ------------------------------------------------------------------------------


@pytest.fixture
def hanako(signed_in, demo_office):
    confirm(signed_in, preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)])))
    return Client.objects.get(office=demo_office, name="北 花子")


def test_logs_are_imported_by_natural_keys(signed_in, demo_office, hanako, coordinator):
    provider = Provider.objects.get(name="あおば訪問リハビリステーション")
    row = log_row(
        日付="R7.6.2",
        開始時刻="14:05",
        **{"所要時間（分）": "30"},
        コーディネーター="青木ひかり",
        **{"相談対象者 氏名": "北 花子", "相談対象者 フリガナ": "きた はなこ", "相談対象者 生年月日": "2019/5/15"},
        方法="訪問 > 自宅",
        **{"相談者・相手先": "母\n訪問リハビリ：あおば訪問リハビリステーション\n行政機関 ▸ 職員：北区保健センター"},
        種別="在宅医療 ▸ 訪問リハ、生活上の相談・不安の傾聴",
        報告書用の要約="リハビリの回数を調整",
        報告書に載せる="はい",
        次の対応="回数を確認",
        対応期限="2025/6/9",
    )
    page = preview(signed_in, xlsx([LOG_HEADERS, row]), "logs.xlsx", "logs")
    assert not page.context["report"].has_errors, page.context["report"].rows
    response = confirm(signed_in, page)
    assert response["Location"] == reverse("log_list")
    log = ContactLog.objects.get(client=hanako)
    assert (log.occurred_on, log.started_at.strftime("%H:%M"), log.duration_minutes) == (date(2025, 6, 2), "14:05", 30)
    assert log.coordinator == coordinator and log.method.code == "visit-home"
    parts = {(c.category.code, c.provider_id, c.organization_name) for c in log.counterparts.all()}
    assert parts == {
        ("party-parent-mother", None, ""),
        ("medical-visiting-rehab", provider.pk, ""),
        ("government-staff", None, "北区保健センター"),
    }
    assert {t.code for t in log.activity_types.all()} == {"home-medical-rehab", "listening"}
    assert log.include_in_report
    follow_up = log.follow_ups.get()
    assert (follow_up.due_on, follow_up.assignee, follow_up.client) == (date(2025, 6, 9), coordinator, hanako)


def test_excel_date_time_and_number_cells_are_read_as_such(signed_in, hanako):
    row = log_row(
        日付=datetime(2025, 6, 3),
        開始時刻=time(9, 30),
        **{"所要時間（分）": 15},
        コーディネーター="coordinator",
        **{
            "相談対象者 氏名": "北 花子",
            "相談対象者 フリガナ": "キタ ハナコ",
            "相談対象者 生年月日": date(2019, 5, 15),
        },
        方法="電話",
        種別="クレーム",
        **{"相談者・相手先": "母"},
        報告書に載せる=False,
    )
    confirm(signed_in, preview(signed_in, xlsx([LOG_HEADERS, row]), "logs.xlsx", "logs"))
    log = ContactLog.objects.get(client=hanako)
    assert (log.occurred_on, log.started_at, log.duration_minutes) == (date(2025, 6, 3), time(9, 30), 15)


def test_log_rows_with_unknown_or_ambiguous_names_get_japanese_errors(signed_in, hanako):
    common = {"日付": "2025/6/2", "コーディネーター": "coordinator", "相談者・相手先": "母", "種別": "クレーム"}
    rows = [
        LOG_HEADERS,
        log_row(**common, 方法="その他"),
        log_row(**common, 方法="訪問"),
        log_row(
            **{
                **common,
                "相談対象者 氏名": "北 花子",
                "相談対象者 フリガナ": "キタ ハナコ",
                "相談対象者 生年月日": "2019/5/16",
            },
            方法="電話",
        ),
        log_row(
            **{**common, "種別": "", "相談者・相手先": "宇宙人：火星", "コーディネーター": "supervisor2"}, 方法="電話"
        ),
    ]
    before = ContactLog.objects.count()
    report = preview(signed_in, xlsx(rows), "logs.xlsx", "logs").context["report"]
    errors = {(row.number, column): message for row in report.error_rows for column, message in row.errors}
    assert "「その他」に当てはまる方法が複数あります" in errors[(2, "方法")] and "訪問 ▸ その他" in errors[(2, "方法")]
    assert "「訪問」はまとめの区分です" in errors[(3, "方法")]
    assert "見つかりません" in errors[(4, "相談対象者 氏名")]
    assert errors[(5, "種別")] == "種別を1つ以上書いてください。"
    assert "「宇宙人」という相談者・相手先の区分はありません" in errors[(5, "相談者・相手先")]
    assert "「supervisor2」という職員はこの事業所にいません" in errors[(5, "コーディネーター")]
    assert ContactLog.objects.count() == before


def test_a_client_of_another_office_is_never_matched(signed_in, coordinator):
    other = Office.objects.create(name="板橋区医療的ケア児等コーディネーター事業", municipality="板橋区")
    Client.objects.create(office=other, name="板橋 一子", name_kana="イタバシ イチコ", birth_date=date(2018, 1, 1))
    row = log_row(
        日付="2025/6/2",
        コーディネーター="coordinator",
        方法="電話",
        種別="クレーム",
        **{"相談者・相手先": "母"},
        **{"相談対象者 氏名": "板橋 一子", "相談対象者 フリガナ": "イタバシ イチコ", "相談対象者 生年月日": "2018/1/1"},
    )
    report = preview(signed_in, xlsx([LOG_HEADERS, row]), "logs.xlsx", "logs").context["report"]
    assert "見つかりません" in report.error_rows[0].errors[0][1]


def test_exported_logs_import_back_as_unchanged(signed_in, demo_office):
    exported = signed_in.get(reverse("log_export", args=["xlsx"]), {"date_from": "2025/6/1", "date_to": "2025/6/10"})
    count = ContactLog.objects.for_office(demo_office).between(date(2025, 6, 1), date(2025, 6, 10)).count()
    page = preview(signed_in, exported.getvalue(), "export.xlsx", "logs")
    report = page.context["report"]
    assert not report.has_errors, report.error_rows[:3]
    assert report.counts["skip"] == count > 0 and report.counts["new"] == 0


def test_reimporting_a_log_file_adds_nothing_the_second_time(signed_in, hanako):
    rows = [
        LOG_HEADERS,
        log_row(
            日付="2025/6/2", コーディネーター="coordinator", 方法="電話", 種別="クレーム", **{"相談者・相手先": "母"}
        ),
    ]
    confirm(signed_in, preview(signed_in, csv_bytes(rows), "logs.csv", "logs"))
    count = ContactLog.objects.count()
    report = preview(signed_in, csv_bytes(rows), "logs.csv", "logs").context["report"]
    assert [row.action for row in report.rows] == ["skip"]
    assert ContactLog.objects.count() == count


# --- files that are refused --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("clients.txt", b"hello", "取り込めるのは Excel（.xlsx）と CSV（.csv）のファイルだけです。"),
        ("clients.pdf", b"%PDF-1.4", "取り込めるのは Excel（.xlsx）と CSV（.csv）のファイルだけです。"),
        ("clients.xls", b"\xd0\xcf\x11\xe0", "古い Excel 形式（.xls）は取り込めません。"),
        ("clients.xlsm", b"PK\x03\x04", "マクロを含むブック（.xlsm など）は取り込めません。"),
        ("clients.xlsx", b"not a zip at all", "Excel のブック（.xlsx）として読めません。"),
        ("clients.csv", "氏名\n北".encode("utf-16"), "CSV ファイルとして読めません。"),
        ("clients.csv", "氏名\n北".encode("cp932") + b"\x81", "文字コードを判別できません。"),
    ],
)
def test_files_of_the_wrong_kind_are_refused_with_a_japanese_reason(signed_in, import_dir, name, content, message):
    response = upload(signed_in, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not import_dir.exists() or not any(import_dir.iterdir())


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_that_is_not_a_workbook_is_refused(signed_in):
    response = upload(signed_in, zip_with({"readme.txt": b"hello"}), "clients.xlsx")
    assert "Excel のブック（.xlsx）として読めません。" in response.content.decode()


def test_a_workbook_with_macros_renamed_to_xlsx_is_refused(signed_in):
    workbook = zipfile.ZipFile(io.BytesIO(xlsx([CLIENT_HEADERS])))
    members = {name: workbook.read(name) for name in workbook.namelist()}
    members["xl/vbaProject.bin"] = b"\x00macro"
    response = upload(signed_in, zip_with(members), "clients.xlsx")
    assert "マクロを含むブックは取り込めません。" in response.content.decode()


def test_a_file_over_5_mb_is_refused(signed_in):
    content = csv_bytes([CLIENT_HEADERS]) + b"x" * (5 * 1024 * 1024)
    response = upload(signed_in, content, "clients.csv")
    assert "ファイルが大きすぎます。5MB以下のファイルにしてください。" in response.content.decode()


def test_no_kind_or_no_file_gets_a_japanese_message(signed_in):
    page = signed_in.post(START, {}).content.decode()
    assert "取り込むものを選んでください。" in page
    assert "ファイルを選んでください。" in page


# --- the file kept between preview and confirmation ----------------------------------------------


def test_cancelling_deletes_the_uploaded_file(signed_in, import_dir):
    page = preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)]))
    assert len(list(import_dir.iterdir())) == 1
    response = signed_in.post(reverse("imports:cancel", args=["clients", page.context["staged"].token]))
    # Back to the upload page with 相談対象者 still chosen, to pick the corrected file.
    assert response["Location"] == f"{START}?kind=clients"
    assert list(import_dir.iterdir()) == []
    assert not Client.objects.filter(name="北 花子").exists()


def test_confirming_deletes_the_uploaded_file(signed_in, import_dir):
    confirm(signed_in, preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)])))
    assert list(import_dir.iterdir()) == []


def test_an_upload_waits_in_an_owner_only_file_in_an_owner_only_folder(signed_in, import_dir):
    preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)]))
    [staged] = import_dir.iterdir()
    assert staged.stat().st_mode & 0o777 == 0o600
    assert import_dir.stat().st_mode & 0o777 == 0o700


def test_the_next_upload_deletes_uploads_left_waiting_for_over_an_hour(signed_in, import_dir):
    preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)]))
    preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**TARO)]))
    old, recent = sorted(import_dir.iterdir())
    now = time_module.time()
    os.utime(old, (now - 61 * 60, now - 61 * 60))
    os.utime(recent, (now - 50 * 60, now - 50 * 60))

    preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)]))

    remaining = set(import_dir.iterdir())
    assert old not in remaining and recent in remaining and len(remaining) == 2


def test_another_persons_upload_cannot_be_previewed_or_confirmed(signed_in, client_factory_other_coordinator):
    page = preview(signed_in, xlsx([CLIENT_HEADERS, client_row(**HANAKO)]))
    token = page.context["staged"].token
    other = client_factory_other_coordinator
    response = other.get(reverse("imports:preview", args=["clients", token]), follow=True)
    assert "期限が切れたか、見つかりません" in response.content.decode()
    other.post(reverse("imports:confirm", args=["clients", token]))
    assert not Client.objects.filter(name="北 花子").exists()


@pytest.fixture
def client_factory_other_coordinator(demo_office):
    from django.test import Client as BrowserClient

    browser = BrowserClient()
    browser.force_login(User.objects.get(username="coordinator2"))
    return browser
