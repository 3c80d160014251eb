"""The directory as an Open Referral HSDS tabular data package: files, schemas, keys, stable ids, no internal notes."""

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path

import frictionless
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Office, User
from directory import hsds
from directory.models import Acceptance, MedicalCareProcedure, Provider, ProviderProcedure, ProviderSchedule
from tabular.spreadsheets import FORMULA_START

from . import hsds_3_0_0

pytestmark = pytest.mark.django_db

URL = reverse("directory:provider_hsds_export")
SECRET = "内部メモ：園長の私用携帯 090-1234-5678"


@pytest.fixture
def matrix(db) -> Provider:
    """An active provider with a secret internal note and three answers in its matrix."""
    provider = Provider.objects.active().filter(address__startswith="東京都北区").order_by("pk").first()
    provider.internal_note = SECRET
    provider.has_coordinator = True
    provider.opening_hours = "月～金 9:00～17:00"
    provider.save()
    provider.schedules.all().delete()  # only the text: the row the export has always written
    provider.acceptances.all().delete()
    for code, status, note in [
        ("ventilator", Acceptance.ACCEPTED, ""),
        ("suction", Acceptance.CONDITIONAL, "看護師在籍日のみ"),
        ("dialysis", Acceptance.REFUSED, ""),
    ]:
        ProviderProcedure.objects.create(
            provider=provider, procedure=MedicalCareProcedure.objects.get(code=code), status=status, note=note
        )
    return provider


def files_of(package) -> dict[str, bytes]:
    return hsds.package_files(package)


def tables_of(files: dict[str, bytes]) -> dict[str, list[dict]]:
    """Every CSV of the package parsed, by resource name (fails if a listed file is missing)."""
    descriptor = json.loads(files["datapackage.json"])
    return {
        resource["name"]: list(csv.DictReader(io.StringIO(files[resource["path"]].decode("utf-8"))))
        for resource in descriptor["resources"]
    }


def test_datapackage_json_lists_every_csv_with_its_schema(matrix):
    files = files_of(hsds.directory_package())
    descriptor = json.loads(files["datapackage.json"])
    assert descriptor["profile"] == "tabular-data-package"
    resources = {resource["path"]: resource for resource in descriptor["resources"]}
    assert set(resources) == set(files) - {"datapackage.json"}
    assert {resource["name"] for resource in resources.values()} >= {
        "organization",
        "service",
        "location",
        "service_at_location",
        "phone",
        "address",
        "attribute",
        "taxonomy",
        "taxonomy_term",
    }
    for path, resource in resources.items():
        assert resource["profile"] == "tabular-data-resource" and resource["format"] == "csv"
        header = next(csv.reader(io.StringIO(files[path].decode("utf-8"))))
        assert header == [field["name"] for field in resource["schema"]["fields"]], path
        assert resource["schema"]["primaryKey"] == "id"
        assert all(
            field["type"] in {"string", "number", "date", "datetime", "time"} for field in resource["schema"]["fields"]
        )


def test_every_csv_parses_with_the_types_its_schema_declares(matrix):
    files = files_of(hsds.directory_package())
    descriptor = json.loads(files["datapackage.json"])
    tables = tables_of(files)
    for resource in descriptor["resources"]:
        rows = tables[resource["name"]]
        for spec in resource["schema"]["fields"]:
            values = [row[spec["name"]] for row in rows]
            if spec.get("constraints", {}).get("required"):
                assert all(values), (resource["name"], spec["name"])
            present = [value for value in values if value]
            if spec.get("format") == "uuid":
                assert all(uuid.UUID(value) for value in present)
            if spec["type"] == "number":
                assert all(float(value) >= 0 for value in present)
            if spec["type"] == "date":
                assert all(len(value) == 10 and value[4] == value[7] == "-" for value in present)
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)), resource["name"]


def test_every_foreign_key_resolves(matrix):
    files = files_of(hsds.directory_package())
    descriptor = json.loads(files["datapackage.json"])
    tables = tables_of(files)
    ids = {name: {row["id"] for row in rows} for name, rows in tables.items()}
    checked = 0
    for resource in descriptor["resources"]:
        for key in resource["schema"].get("foreignKeys", []):
            target = key["reference"]["resource"]
            for row in tables[resource["name"]]:
                if row[key["fields"]]:
                    assert row[key["fields"]] in ids[target], (resource["name"], key["fields"])
                    checked += 1
    assert checked > 1000
    services = {row["organization_id"] for row in tables["service"]}
    assert services == ids["organization"]


def test_there_is_one_organization_service_and_location_per_active_provider(matrix):
    Provider.objects.filter(pk=Provider.objects.active().order_by("-pk").first().pk).update(is_active=False)
    tables = tables_of(files_of(hsds.directory_package()))
    active = Provider.objects.active().count()
    assert active < Provider.objects.count()
    for name in ("organization", "service", "location", "service_at_location"):
        assert len(tables[name]) == active, name
    assert len(tables["address"]) == Provider.objects.active().exclude(address="").count()
    phones = Provider.objects.active().exclude(phone="").count() + Provider.objects.active().exclude(fax="").count()
    assert len(tables["phone"]) == phones
    assert {row["name"] for row in tables["organization"]} == set(
        Provider.objects.active().values_list("name", flat=True)
    )


def test_the_acceptance_matrix_is_published_as_attributes_of_the_service(matrix):
    tables = tables_of(files_of(hsds.directory_package()))
    terms = {row["id"]: row for row in tables["taxonomy_term"]}
    service = next(row for row in tables["service"] if row["name"] == matrix.name)
    attributes = {
        terms[row["taxonomy_term_id"]]["name"]: (row["value"], row["label"])
        for row in tables["attribute"]
        if row["link_id"] == service["id"] and row["link_type"] == "medical_care_acceptance"
    }
    assert attributes == {
        "人工呼吸器": ("accepted", "可"),
        "吸引": ("conditional", "条件付き：看護師在籍日のみ"),
        "継続的な透析": ("refused", "不可"),
    }
    procedure_terms = [row for row in tables["taxonomy_term"] if row["taxonomy"] == "医療的ケアの受け入れ"]
    assert [row["name"] for row in procedure_terms] == list(
        MedicalCareProcedure.objects.order_by("position").values_list("name", flat=True)
    )
    links = {
        (row["link_type"], terms[row["taxonomy_term_id"]]["name"])
        for row in tables["attribute"]
        if row["link_id"] == service["id"]
    }
    assert ("provider_category", matrix.category.name) in links
    assert ("staffing", "医療的ケア児等コーディネーター在籍") in links


def test_a_japanese_address_is_split_into_prefecture_city_and_the_rest(matrix):
    tables = tables_of(files_of(hsds.directory_package()))
    location = next(row for row in tables["location"] if row["name"] == matrix.name)
    address = next(row for row in tables["address"] if row["location_id"] == location["id"])
    assert (address["state_province"], address["city"], address["country"]) == ("東京都", "北区", "JP")
    assert "東京都北区" + address["address_1"] == matrix.address
    schedule = next(row for row in tables["schedule"] if row["location_id"] == location["id"])
    assert schedule["description"] == "月～金 9:00～17:00"


def test_structured_hours_are_weekly_schedule_rows_with_the_text_as_their_note(matrix):
    matrix.opening_hours = "月～金 9:00～12:00、13:00～17:00（土日祝休み）"
    matrix.save()
    for position, (byday, opens, closes) in enumerate(
        [("MO,TU,WE,TH,FR", "09:00", "12:00"), ("MO,TU,WE,TH,FR", "13:00", "17:00"), ("SA", "09:00", "12:30")],
        start=1,
    ):
        ProviderSchedule.objects.create(
            provider=matrix, byday=byday, opens_at=opens, closes_at=closes, position=position
        )
    files = files_of(hsds.directory_package())
    tables = tables_of(files)
    location = next(row for row in tables["location"] if row["name"] == matrix.name)
    rows = [row for row in tables["schedule"] if row["location_id"] == location["id"]]
    assert [(row["freq"], row["byday"], row["opens_at"], row["closes_at"], row["description"]) for row in rows] == [
        ("WEEKLY", "MO,TU,WE,TH,FR", "09:00:00", "12:00:00", "月・火・水・木・金 9:00～12:00"),
        ("WEEKLY", "MO,TU,WE,TH,FR", "13:00:00", "17:00:00", "月・火・水・木・金 13:00～17:00"),
        ("WEEKLY", "SA", "09:00:00", "12:30:00", "土 9:00～12:30"),
    ]
    assert {row["notes"] for row in rows} == {"月～金 9:00～12:00、13:00～17:00（土日祝休み）"}
    assert len({row["id"] for row in rows}) == 3
    service = next(row for row in tables["service"] if row["name"] == matrix.name)
    assert {row["service_id"] for row in rows} == {service["id"]}


def test_ids_are_the_same_in_two_exports_and_follow_the_natural_key(matrix):
    first = files_of(hsds.directory_package())
    matrix.phone = "03-0000-9999"  # a change that is not part of the key
    matrix.save()
    second = files_of(hsds.directory_package())
    for name in ("organization", "service", "location", "attribute", "taxonomy_term"):
        assert [row["id"] for row in tables_of(first)[name]] == [row["id"] for row in tables_of(second)[name]]
    assert first["organizations.csv"] == second["organizations.csv"]
    assert first["phones.csv"] != second["phones.csv"]


def test_the_internal_note_and_the_verifier_are_never_published(matrix, coordinator):
    matrix.verified_by = coordinator
    matrix.save()
    files = files_of(hsds.directory_package())
    for name, content in files.items():
        text = content.decode("utf-8")
        assert "090-1234-5678" not in text and SECRET not in text, name
        assert "internal_note" not in text and str(coordinator) not in text, name


# --- the download and the command -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_a_user_without_a_role_gets_403(client):
    user = User.objects.create_user(
        "norole-hsds", password="a-long-password-1", office=Office.objects.order_by("pk").first()
    )
    client.force_login(user)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("username", ["ward", "supervisor", "coordinator"])
def test_everyone_who_reads_the_directory_downloads_the_zip_of_the_same_files(client, matrix, username):
    client.force_login(User.objects.get(username=username))
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="hsds_' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    assert {name: archive.read(name) for name in archive.namelist()} == files_of(hsds.directory_package())


def test_the_download_makes_a_few_queries_however_many_providers(client, ward_staff):
    client.force_login(ward_staff)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    assert Provider.objects.active().count() >= 200
    # Session, user, permissions, the audit log; then procedures, categories, providers, acceptances.
    assert len(queries.captured_queries) <= 12


def test_the_command_writes_the_package_into_a_directory(tmp_path, matrix):
    out = io.StringIO()
    call_command("export_hsds", str(tmp_path / "hsds"), stdout=out)
    written = {path.name: path.read_bytes() for path in (tmp_path / "hsds").iterdir()}
    assert written == files_of(hsds.directory_package())
    assert f"機関・事業所 {Provider.objects.active().count()} 件" in out.getvalue()


def test_split_address_keeps_an_address_without_a_prefecture_whole():
    assert hsds.split_address("東京都北区王子1-2-3", "北区") == ("東京都", "王子1-2-3")
    assert hsds.split_address("埼玉県川口市本町1-2-3", "川口市") == ("埼玉県", "本町1-2-3")
    assert hsds.split_address("神奈川県横浜市中区1-1", "横浜市") == ("神奈川県", "中区1-1")
    assert hsds.split_address("王子本町1-2", "北区") == ("", "王子本町1-2")


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "+SUM(1)", "@x", "-2+3", "\t=1+1", "\r=1+1", " =1+1"])
def test_text_that_would_start_a_formula_is_escaped_in_every_csv(matrix, name):
    matrix.name = name
    matrix.opening_hours = name
    matrix.save()
    tables = tables_of(files_of(hsds.directory_package()))
    assert "'" + name in [row["name"] for row in tables["organization"]]
    assert "'" + name in [row["description"] for row in tables["schedule"]]
    cells = [value for rows in tables.values() for row in rows for value in row.values()]
    assert not [value for value in cells if FORMULA_START.match(value)]


# --- conformance to HSDS 3.0.0 (frictionless, against the specification's table definitions) ----------

EXTENSIONS = {"attribute": ["label"]}  # our extension columns, after the official ones (docs/hsds.md)


def official_descriptor() -> dict:
    """A tabular data package of HSDS 3.0.0's definitions of our tables, plus our documented extensions."""
    resources = []
    for name, (path, fields, foreign_keys) in hsds_3_0_0.TABLES.items():
        schema_fields = []
        for field_name, field_type, field_format, required, allowed in fields:
            field_schema = {"name": field_name, "type": field_type}
            if field_format:
                field_schema["format"] = field_format
            constraints = {
                "required": required,
                "unique": field_name == "id" or field_name in hsds_3_0_0.UNIQUE.get(name, set()),
            }
            if allowed:
                constraints["enum"] = list(allowed)
            field_schema["constraints"] = constraints
            schema_fields.append(field_schema)
        schema_fields += [{"name": extension, "type": "string"} for extension in EXTENSIONS.get(name, [])]
        schema = {"fields": schema_fields, "primaryKey": "id"}
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": table, "fields": "id"}}
            for column, table in foreign_keys.items()
        ]
        resources.append({"name": name, "path": path, "profile": "tabular-data-resource", "schema": schema})
    return {"profile": "tabular-data-package", "resources": resources}


def test_the_export_is_valid_against_hsds_3_0_0_with_frictionless(tmp_path, matrix):
    """Every table: the official columns in the official order (then our extensions), types, formats,
    required fields, allowed values, unique ids; every foreign key resolves."""
    hsds.write_package(tmp_path, hsds.directory_package())
    package = frictionless.Package(official_descriptor(), basepath=str(tmp_path))
    report = package.validate()
    errors = report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])
    assert report.valid, errors[:20]
    # The validation looked at real rows of every table (an empty file would pass trivially).
    for name, (path, _, _) in hsds_3_0_0.TABLES.items():
        assert len((tmp_path / path).read_text(encoding="utf-8").splitlines()) > 1, name


def test_the_validation_catches_a_column_out_of_order_and_a_missing_postal_code(tmp_path, matrix):
    hsds.write_package(tmp_path, hsds.directory_package())
    services = tmp_path / "services.csv"
    rows = list(csv.reader(io.StringIO(services.read_text(encoding="utf-8"))))
    for row in rows:
        row[2], row[3] = row[3], row[2]  # program_id and name swapped
    services.write_text("".join(",".join(f'"{cell}"' for cell in row) + "\r\n" for row in rows), encoding="utf-8")
    addresses = tmp_path / "addresses.csv"
    rows = list(csv.DictReader(io.StringIO(addresses.read_text(encoding="utf-8"))))
    header = list(rows[0])
    rows[0]["postal_code"] = ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    addresses.write_text(buffer.getvalue(), encoding="utf-8")
    report = frictionless.Package(official_descriptor(), basepath=str(tmp_path)).validate()
    found = {(task.name, error.type) for task in report.tasks for error in task.errors}
    assert ("service", "incorrect-label") in found
    assert ("address", "constraint-error") in found


def test_our_descriptor_declares_every_official_field_as_the_specification_does(matrix):
    descriptor = json.loads(hsds.package_files(hsds.directory_package())["datapackage.json"])
    assert descriptor["version"] == hsds_3_0_0.VERSION
    ours = {resource["name"]: resource for resource in descriptor["resources"]}
    official = {resource["name"]: resource for resource in official_descriptor()["resources"]}
    assert set(ours) == set(official)
    for name, resource in official.items():
        assert ours[name]["path"] == resource["path"]
        official_fields = resource["schema"]["fields"][: len(hsds_3_0_0.TABLES[name][1])]
        declared = [
            {key: value for key, value in field.items() if key != "description"}
            for field in ours[name]["schema"]["fields"][: len(official_fields)]
        ]
        assert declared == official_fields, name
        extensions = [field["name"] for field in ours[name]["schema"]["fields"][len(official_fields) :]]
        assert extensions == EXTENSIONS.get(name, []), name


def test_docs_list_every_extension_column():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "hsds.md").read_text(encoding="utf-8")
    for table, columns in EXTENSIONS.items():
        for column in columns:
            assert f"`{table}.{column}`" in docs


def test_an_address_without_a_postal_code_is_left_out_and_the_command_says_so(tmp_path, matrix):
    Provider.objects.filter(pk=matrix.pk).update(postal_code="")
    package = hsds.directory_package()
    assert matrix.name in package.addresses_left_out
    assert not any(
        row["location_id"] == hsds.hsds_id("location", *key_of(matrix)) for row in package.tables["address"].rows
    )
    output = io.StringIO()
    call_command("export_hsds", str(tmp_path), stdout=output)
    assert "郵便番号のない" in output.getvalue() and matrix.name in output.getvalue()


def key_of(provider: Provider) -> tuple[str, ...]:
    from directory.resources import effective_municipality, provider_key

    return provider_key(provider.name, effective_municipality(provider))
