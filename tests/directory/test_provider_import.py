"""Providers to and from .xlsx/.csv: template, dry-run preview, all-or-nothing, natural keys, re-import, export."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from directory.models import Acceptance, District, MedicalCareProcedure, Provider, ProviderCategory, ProviderProcedure
from directory.resources import ProviderResource, parse_acceptance

pytestmark = pytest.mark.django_db

START = reverse("imports:start")


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.TSUNAGU_IMPORT_DIR = tmp_path / "imports"
    return settings.TSUNAGU_IMPORT_DIR


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def headers(db) -> list[str]:
    return list(ProviderResource.example())


def xlsx(rows: list[list], *, formulas: dict[str, str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def row_of(headers, **values) -> list:
    row = dict.fromkeys(headers, "")
    row.update(values)
    return [row[header] for header in headers]


def preview(client, content: bytes, name: str = "providers.xlsx"):
    response = client.post(START, {"kind": "providers", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"])


def confirm(client, preview_response):
    return client.post(reverse("imports:confirm", args=["providers", preview_response.context["staged"].token]))


def errors_of(response) -> list[tuple[int, str, str]]:
    return [
        (row.number, column, message) for row in response.context["report"].error_rows for column, message in row.errors
    ]


NEW = {
    "名称": "つなぐ小児訪問看護ステーション",
    "フリガナ": "つなぐ しょうに",
    "種別": "訪問看護ステーション",
    "区市町村": "北区",
}


# --- access ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(START)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["supervisor", "ward"])
def test_only_coordinators_may_import(client, username):
    client.force_login(User.objects.get(username=username))
    token = "a" * 32
    assert client.get(START).status_code == 403
    assert client.post(START).status_code == 403
    assert client.get(reverse("imports:template", args=["providers", "xlsx"])).status_code == 403
    assert client.get(reverse("imports:preview", args=["providers", token])).status_code == 403
    assert client.post(reverse("imports:confirm", args=["providers", token])).status_code == 403
    assert client.post(reverse("imports:cancel", args=["providers", token])).status_code == 403


def test_the_directory_list_offers_the_import_to_coordinators_only(client, coordinator, ward_staff):
    client.force_login(coordinator)
    assert START in client.get(reverse("directory:provider_list")).content.decode()
    client.force_login(ward_staff)
    page = client.get(reverse("directory:provider_list")).content.decode()
    assert START not in page
    assert reverse("directory:provider_export", args=["xlsx"]) in page
    assert reverse("directory:provider_hsds_export") in page


def test_a_client_import_token_cannot_be_previewed_as_a_provider_import(signed_in, headers):
    from tabular.imports import KINDS, stage_upload

    session = signed_in.session
    token = stage_upload(session, kind=KINDS["clients"], name="c.csv", file_format="csv", content=b"x")
    session.save()
    response = signed_in.get(reverse("imports:preview", args=["providers", token]))
    assert response.status_code == 302 and response["Location"] == START


# --- the template ------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_template_has_every_column_the_import_reads_and_one_per_procedure(signed_in, headers, file_format):
    response = signed_in.get(reverse("imports:template", args=["providers", file_format]))
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    if file_format == "xlsx":
        rows = [
            [c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(response.getvalue())).active.iter_rows()
        ]
    else:
        rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0] == headers and len(rows) == 2
    procedures = list(MedicalCareProcedure.objects.order_by("position").values_list("name", flat=True))
    assert rows[0][-14:] == procedures
    readable = [c for c in ProviderResource().columns() if c != "確認した職員"]
    assert readable == headers


def planner_row_count(table: str) -> int | None:
    """The number of rows the database's query planner believes the table has (its statistics)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        else:  # sqlite_stat1 exists once something was analyzed
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NOT NULL LIMIT 1", [table])
        row = cursor.fetchone()
    return int(float(str(row[0]).split()[0])) if row else None  # PostgreSQL: a float, -1 if never analyzed


def test_a_confirmed_import_refreshes_the_search_tables_statistics(signed_in):
    template = signed_in.get(reverse("imports:template", args=["providers", "xlsx"])).getvalue()
    response = preview(signed_in, template)
    before = Provider.objects.count()
    assert planner_row_count("directory_provider") != before + 1  # a preview imports nothing
    assert confirm(signed_in, response).status_code == 302
    assert Provider.objects.count() == before + 1
    # The planner sees the new rows now, not after autovacuum's next pass (issue 18).
    assert planner_row_count("directory_provider") == before + 1
    assert planner_row_count("directory_providerprocedure") == ProviderProcedure.objects.count()


def test_the_template_example_imports_as_a_new_provider_with_its_matrix(signed_in, coordinator):
    template = signed_in.get(reverse("imports:template", args=["providers", "xlsx"])).getvalue()
    response = preview(signed_in, template)
    assert response.context["report"].counts["new"] == 1 and not errors_of(response)
    assert confirm(signed_in, response).status_code == 302
    provider = Provider.objects.get(name="あおば訪問看護ステーション", municipality="北区")
    assert provider.category.name == "訪問看護ステーション"
    assert provider.district.name == "王子地区"
    assert (provider.ages_from, provider.ages_to, provider.has_coordinator) == (0, 18, True)
    assert provider.verified_on == date(2025, 4, 1) and provider.verified_by == coordinator
    matrix = {
        cell.procedure.name: (cell.status, cell.note) for cell in provider.acceptances.select_related("procedure")
    }
    assert matrix == {
        "人工呼吸器": (Acceptance.ACCEPTED, ""),
        "気管切開": (Acceptance.CONDITIONAL, "看護師在籍日のみ"),
        "鼻咽頭エアウェイ": (Acceptance.REFUSED, ""),
    }
    assert "あおば" in provider.search_text or "アオバ" in provider.search_text


# --- errors: per row, in Japanese, nothing saved -------------------------------------------------


def test_bad_rows_are_listed_by_row_and_column_in_japanese_and_nothing_is_saved(signed_in, headers):
    before = Provider.objects.count()
    content = xlsx(
        [
            headers,
            row_of(headers, **NEW),
            row_of(headers, 名称="ほしぞら相談室", 種別="相談所", 区市町村="北区"),
            row_of(
                headers,
                名称="ひまわりデイ",
                種別="放課後等デイサービス",
                区市町村="北区",
                最終確認日="2025/2/30",
                人工呼吸器="たぶん可",
            ),
            row_of(
                headers,
                名称="つばさ",
                種別="保育園",
                区市町村="北区",
                **{"対象年齢（から）": "6", "対象年齢（まで）": "3"},
            ),
            row_of(headers, フリガナ="ナマエナシ", 種別="保育園", 区市町村="北区"),
            row_of(headers, 名称="みどり", 種別="保育園", 地区="王子地区", 区市町村="板橋区", メール="not-an-email"),
        ]
    )
    response = preview(signed_in, content)
    errors = errors_of(response)
    assert (3, "種別", "「相談所」という種別はありません。取り込みの説明にある種別の名前で書いてください。") in errors
    assert (4, "最終確認日", "2025年2月30日という日付はありません。") in errors
    assert any(
        number == 4 and column == "人工呼吸器" and "「可」「条件付き」「不可」「未確認」" in message
        for number, column, message in errors
    )
    assert (5, "対象年齢（まで）", "対象年齢（まで）は対象年齢（から）以上にしてください。") in errors
    assert (6, "名称", "名称を入力してください。") in errors
    assert (7, "区市町村", "王子地区は北区の地区です。区市町村か地区を直してください。") in errors
    assert any(number == 7 and column == "メール" and "メールアドレス" in message for number, column, message in errors)
    assert "エラーのある行が5行あります" in response.content.decode()
    assert "取り込む</button>" not in response.content.decode()
    # Confirming anyway (a crafted POST) saves nothing either.
    assert confirm(signed_in, response).status_code == 422
    assert Provider.objects.count() == before


def test_a_formula_cell_is_refused_and_its_row_not_read(signed_in, headers):
    phone = headers.index("電話")
    cell = f"{openpyxl.utils.get_column_letter(phone + 1)}2"
    response = preview(
        signed_in, xlsx([headers, row_of(headers, **NEW)], formulas={cell: '=HYPERLINK("http://x","y")'})
    )
    assert errors_of(response) == [(2, "電話", "数式は取り込めません。値だけを入力してください。")]
    assert confirm(signed_in, response).status_code == 422
    assert not Provider.objects.filter(name=NEW["名称"]).exists()


def test_a_file_without_the_natural_key_columns_is_refused(signed_in):
    response = preview(signed_in, csv_bytes([["名称", "電話"], ["あおば", "03-1111-2222"]]), "p.csv")
    assert response.context["report"].file_errors == [
        "必要な列がありません：区市町村。ひな形の1行目の見出しをそのまま使ってください。"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("providers.xls", b"\xd0\xcf\x11\xe0", "古い Excel 形式（.xls）は取り込めません"),
        ("providers.xlsx", b"not a zip at all", "Excel のブック（.xlsx）として読めません"),
        ("providers.pdf", b"%PDF-1.7", "取り込めるのは Excel（.xlsx）と CSV（.csv）のファイルだけです"),
        ("providers.csv", b"x" * (5 * 1024 * 1024 + 1), "5MB以下"),
    ],
)
def test_only_real_small_xlsx_and_csv_files_are_accepted(signed_in, name, content, message):
    response = signed_in.post(START, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_same_provider_twice_in_one_file_is_an_error(signed_in, headers):
    content = csv_bytes(
        [headers, row_of(headers, **NEW), row_of(headers, **{**NEW, "名称": "つなぐ小児訪問看護ステーション "})]
    )
    response = preview(signed_in, content, "p.csv")
    assert errors_of(response) == [
        (3, "名称", "同じ機関・事業所（名称・区市町村）が2行目にもあります。1行にまとめてください。")
    ]


# --- natural keys, blanks, re-import -------------------------------------------------------------


def test_a_row_finds_its_provider_by_name_and_municipality_whatever_the_width_and_spacing(signed_in, headers):
    provider = Provider.objects.filter(municipality="北区", district__isnull=False).order_by("pk").first()
    wide_name = provider.name.replace("ステーション", "ｽﾃｰｼｮﾝ") + "　"
    response = preview(
        signed_in, csv_bytes([headers, row_of(headers, 名称=wide_name, 区市町村="北区", 電話="03-9999-0000")]), "p.csv"
    )
    assert response.context["report"].counts["update"] == 1, errors_of(response)
    confirm(signed_in, response)
    provider.refresh_from_db()
    assert provider.phone == "03-9999-0000"


def test_a_district_stands_in_for_a_blank_municipality(signed_in, headers):
    provider = Provider.objects.filter(municipality="北区", district__isnull=False).order_by("pk").first()
    row = row_of(headers, 名称=provider.name, 地区=provider.district.name.removesuffix("地区"), 電話="03-8888-0000")
    response = preview(signed_in, csv_bytes([headers, row]), "p.csv")
    assert response.context["report"].counts["update"] == 1, errors_of(response)


def test_blank_cells_keep_what_is_saved_and_filled_cells_change_it(signed_in, headers, coordinator):
    provider = Provider.objects.filter(municipality="北区").exclude(fax="").order_by("pk").first()
    provider.acceptances.all().delete()
    ventilator = MedicalCareProcedure.objects.get(code="ventilator")
    ProviderProcedure.objects.create(provider=provider, procedure=ventilator, status=Acceptance.ACCEPTED)
    kept = (provider.fax, provider.category_id, provider.version + 1)
    row = row_of(
        headers, 名称=provider.name, 区市町村="北区", 気管切開="△（吸引できる職員がいる日）", 最終確認日="R7.4.1"
    )
    response = preview(signed_in, csv_bytes([headers, row]), "p.csv")
    assert response.context["report"].counts["update"] == 1, errors_of(response)
    confirm(signed_in, response)
    provider.refresh_from_db()
    # The import updates without a version read on a page, and the provider gets a new version.
    assert (provider.fax, provider.category_id, provider.version) == kept
    assert provider.verified_on == date(2025, 4, 1) and provider.verified_by == coordinator
    cells = {c.procedure.code: (c.status, c.note) for c in provider.acceptances.select_related("procedure")}
    assert cells == {
        "ventilator": (Acceptance.ACCEPTED, ""),
        "tracheostomy": (Acceptance.CONDITIONAL, "吸引できる職員がいる日"),
    }


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_importing_an_export_again_changes_nothing(signed_in, file_format):
    ProviderProcedure.objects.update_or_create(
        provider=Provider.objects.active().order_by("pk").first(),
        procedure=MedicalCareProcedure.objects.get(code="suction"),
        defaults={"status": Acceptance.CONDITIONAL, "note": "看護師在籍日のみ"},
    )
    exported = signed_in.get(reverse("directory:provider_export", args=[file_format]))
    before = list(Provider.objects.order_by("pk").values())
    cells_before = list(ProviderProcedure.objects.order_by("pk").values())
    response = preview(signed_in, exported.getvalue(), f"export.{file_format}")
    report = response.context["report"]
    assert not errors_of(response) and not report.file_errors
    assert report.counts["skip"] == Provider.objects.active().count()
    assert report.counts["new"] == report.counts["update"] == 0
    assert "取り込む変更はありません" in response.content.decode()
    assert list(Provider.objects.order_by("pk").values()) == before
    assert list(ProviderProcedure.objects.order_by("pk").values()) == cells_before


def test_a_confirmed_import_twice_is_unchanged_the_second_time(signed_in, headers):
    content = csv_bytes([headers, row_of(headers, **NEW, 人工呼吸器="可")])
    confirm(signed_in, preview(signed_in, content, "p.csv"))
    again = preview(signed_in, content, "p.csv")
    assert again.context["report"].counts["skip"] == 1
    assert Provider.objects.filter(name=NEW["名称"]).count() == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("可", ("accepted", "")),
        ("○", ("accepted", "")),
        ("条件付き：看護師在籍日のみ", ("conditional", "看護師在籍日のみ")),
        ("条件付き:看護師在籍日のみ", ("conditional", "看護師在籍日のみ")),
        ("条件付き（看護師在籍日のみ）", ("conditional", "看護師在籍日のみ")),
        ("条件付き：9:00～12:00のみ", ("conditional", "9:00～12:00のみ")),
        ("条件付き（9:00～12:00）", ("conditional", "9:00～12:00")),
        ("ｼﾞｮｳｹﾝﾂｷ", None),
        ("不可", ("refused", "")),
        ("×", ("refused", "")),
        ("未確認", ("unknown", "")),
    ],
)
def test_an_acceptance_cell_reads_as_status_and_note(text, expected):
    if expected is None:
        with pytest.raises(ValueError, match="「可」「条件付き」「不可」「未確認」のどれか"):
            parse_acceptance(text)
    else:
        assert parse_acceptance(text) == expected


# --- export ------------------------------------------------------------------------------------


def _export_rows(client, file_format="xlsx", **params):
    response = client.get(reverse("directory:provider_export", args=[file_format]), params)
    assert response.status_code == 200
    if file_format == "csv":
        return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    return [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(response.getvalue())).active.iter_rows()]


def test_anonymous_visitors_cannot_export(client):
    assert client.get(reverse("directory:provider_export", args=["xlsx"])).status_code == 302
    assert client.get(reverse("directory:provider_export", args=["pdf"])).status_code == 302


def test_the_export_lists_the_active_providers_by_furigana_with_names_not_ids(client, ward_staff):
    client.force_login(ward_staff)
    rows = _export_rows(client, "csv")
    active = list(Provider.objects.active().order_by("name_kana", "name", "pk"))
    assert len(rows) == len(active) + 1
    assert [row[0] for row in rows[1:]] == [p.name for p in active]
    category = rows[0].index("種別")
    assert {row[category] for row in rows[1:]} <= set(ProviderCategory.objects.values_list("name", flat=True))


def test_ward_staff_exports_have_no_internal_note_and_the_office_teams_do(client, ward_staff, coordinator, supervisor):
    provider = Provider.objects.active().order_by("pk").first()
    provider.internal_note = "担当者の携帯は090-0000-0000"
    provider.save()
    client.force_login(ward_staff)
    rows = _export_rows(client)
    assert "内部メモ" not in rows[0]
    assert all("090-0000-0000" not in str(value) for row in rows for value in row)
    for user in (coordinator, supervisor):
        client.force_login(user)
        rows = _export_rows(client)
        assert any(row[rows[0].index("内部メモ")] == provider.internal_note for row in rows[1:])


def test_the_export_follows_the_lists_search(client, ward_staff):
    client.force_login(ward_staff)
    rows = _export_rows(client, q="ｿﾖｶｾﾞ")
    assert len(rows) > 1 and all("ソヨカゼ" in row[1] for row in rows[1:])


def test_a_formula_like_cell_is_escaped_in_the_export(client, coordinator):
    provider = Provider.objects.active().order_by("pk").first()
    provider.public_note = "=1+1"
    provider.save()
    client.force_login(coordinator)
    rows = _export_rows(client, "csv")
    assert "'=1+1" in [row[rows[0].index("備考")] for row in rows[1:]]


def test_the_export_makes_the_same_few_queries_for_many_providers_as_for_one(client, coordinator):
    client.force_login(coordinator)
    counts = []
    for query in ["", Provider.objects.active().order_by("pk").first().name]:
        with CaptureQueriesContext(connection) as queries:
            rows = _export_rows(client, "csv", q=query)
        counts.append((len(rows) - 1, len(queries.captured_queries)))
    (many, many_queries), (few, few_queries) = counts
    assert many >= 200 and few >= 1
    assert many_queries == few_queries <= 16


def test_districts_are_exported_by_name(client, coordinator):
    client.force_login(coordinator)
    rows = _export_rows(client)
    district = rows[0].index("地区")
    assert {row[district] for row in rows[1:] if row[district]} <= set(District.objects.values_list("name", flat=True))


def test_an_imported_provider_is_found_by_the_search_word_and_its_procedures(signed_in):
    """The import writes through the services: the search's indexes (SQLite's FTS table, the
    accepted procedures on the provider's row) follow it."""
    from directory.selectors import matching_query

    template = signed_in.get(reverse("imports:template", args=["providers", "xlsx"])).getvalue()
    confirm(signed_in, preview(signed_in, template))
    provider = Provider.objects.get(name="あおば訪問看護ステーション", municipality="北区")
    assert Provider.objects.filter(matching_query("ｱｵﾊﾞﾎｳﾓﾝｶﾝｺﾞｽﾃｰｼｮﾝ")).filter(pk=provider.pk).exists()

    def accepting(*codes):
        return Provider.objects.accepting(MedicalCareProcedure.objects.filter(code__in=codes)).filter(pk=provider.pk)

    assert accepting("ventilator", "tracheostomy").exists()  # 可 and 条件付き
    assert not accepting("ventilator", "nasopharyngeal-airway").exists()  # 不可
