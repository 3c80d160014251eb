"""The directory as an Open Referral HSDS 3.0 tabular data package: `datapackage.json` and one CSV per table.

| table (file)                                  | rows                                                     |
|-----------------------------------------------|----------------------------------------------------------|
| organization (organizations.csv)              | one per active provider                                  |
| service (services.csv)                        | one per provider: services, ages, vacancy, last check    |
| location (locations.csv)                      | one per provider (physical)                              |
| service_at_location (service_at_location.csv) | the provider's service at its location                   |
| address (addresses.csv)                       | one per provider with an address                         |
| phone (phones.csv)                            | 電話 (voice) and FAX (fax) of the location               |
| schedule (schedules.csv)                      | 受付・営業時間: a WEEKLY row per span, or the text alone |
| taxonomy, taxonomy_term                       | our vocabularies: the 14 procedures, the categories, 体制 |
| attribute (attributes.csv)                    | the acceptance matrix, the category, coordinator on staff|

Ids are UUIDv5 of the provider's natural key (名称 + 区市町村, as the spreadsheet import uses it)
or of a reference list's code, so every export of the same directory gives the same ids. Only
active providers are published, and never an internal note or who verified an entry. Text that a
spreadsheet program would take for a formula gets a leading apostrophe, as in every file we write.
`build_package` is a pure function of the rows; `package_files` turns a package into bytes.
"""

import csv
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tabular.spreadsheets import escape_formula

from . import postal
from .models import Acceptance, MedicalCareProcedure, Provider, ProviderCategory
from .resources import acceptance_label, effective_municipality, provider_key
from .selectors import providers_for_hsds

HSDS_VERSION = "3.0.0"
# Fixed forever: changing it would change every id of every published package.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsunagu:hsds")

MEDICAL_CARE, CATEGORY, STAFFING = "tsunagu-medical-care", "tsunagu-provider-category", "tsunagu-staffing"
TAXONOMIES = {
    MEDICAL_CARE: (
        "医療的ケアの受け入れ",
        "厚生労働省「医療的ケア判定スコア」の14項目。attribute の value は accepted（可）・conditional"
        "（条件付き）・refused（不可）・unknown（未確認）、label は日本語の表示と条件。",
    ),
    CATEGORY: ("機関・事業所の種別", "つなぐの機関・事業所の種別。"),
    STAFFING: ("体制", "医療的ケア児等コーディネーターの在籍など、受け入れの体制。"),
}
COORDINATOR_TERM = ("coordinator-on-staff", "医療的ケア児等コーディネーター在籍")
LINK_TYPES = {MEDICAL_CARE: "medical_care_acceptance", CATEGORY: "provider_category", STAFFING: "staffing"}
_PREFECTURE = re.compile(r"^(東京都|北海道|(?:京都|大阪)府|.{2,3}?県)")


def hsds_id(*parts: str) -> str:
    """A stable UUID for the parts of a natural key (`hsds_id("taxonomy", "tsunagu-staffing")`)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


# --- the tables -----------------------------------------------------------------------------------
#
# Each table we publish has every column of HSDS 3.0.0's tabular schema, in the specification's order
# and with its type, format, `required` and allowed values, then our extension columns (documented in
# docs/hsds.md; today only attribute.label). Foreign keys are declared between the tables we publish.

UUID, EMAIL, URI = "uuid", "email", "uri"
LOCATION_TYPES = ("physical", "postal", "virtual")


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    format: str | None = None
    required: bool = False
    enum: tuple[str, ...] = ()
    description: str = ""
    unique: bool = False
    extension: bool = False  # ours, not HSDS's

    def schema(self) -> dict:
        field_schema = {"name": self.name, "type": self.type}
        if self.format:
            field_schema["format"] = self.format
        if self.description:
            field_schema["description"] = self.description
        constraints = {"required": self.required or self.name == "id", "unique": self.unique or self.name == "id"}
        if self.enum:
            constraints["enum"] = list(self.enum)
        field_schema["constraints"] = constraints
        return field_schema


def _text(name: str, description: str = "", **options) -> Column:
    return Column(name, description=description, **options)


def _uuid(name: str, required: bool = False) -> Column:
    return Column(name, format=UUID, required=required)


def _number(name: str, description: str = "") -> Column:
    return Column(name, "number", description=description)


def _columns(spec: str, **described: str) -> list[Column]:
    """Plain optional text columns from a space-separated list, with optional descriptions."""
    return [_text(name, described.get(name, "")) for name in spec.split()]


@dataclass
class Table:
    name: str
    path: str
    description: str
    columns: Sequence[Column]
    # column → the table whose id it names
    foreign_keys: dict[str, str] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)

    def resource(self) -> dict:
        schema = {"fields": [column.schema() for column in self.columns], "primaryKey": "id"}
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": table, "fields": "id"}}
                for column, table in self.foreign_keys.items()
            ]
        return {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": self.description,
            "schema": schema,
        }

    def csv_bytes(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        names = [column.name for column in self.columns]
        writer.writerow(names)
        for row in self.rows:
            # Published files are opened in Excel too: a provider named `=cmd|…` must stay text.
            writer.writerow(["" if row.get(name) is None else escape_formula(row[name]) for name in names])
        return buffer.getvalue().encode("utf-8")


def _tables() -> dict[str, Table]:
    """The tables we publish, in the order of HSDS 3.0.0's tabular schema, empty."""
    tables = [
        Table(
            "organization",
            "organizations.csv",
            "The organizations (機関・事業所) of the directory.",
            [
                _uuid("id", required=True),
                _text("name", required=True),
                _text("alternate_name", "フリガナ"),
                _text("description", "種別", required=True),
                _text("email", format=EMAIL),
                _text("website", format=URI),
                *_columns("tax_status tax_id"),
                _number("year_incorporated"),
                *_columns("legal_status logo"),
                _text("uri", format=URI),
                _uuid("parent_organization_id"),
            ],
        ),
        Table(
            "service",
            "services.csv",
            "What each organization offers: one service per organization.",
            [
                _uuid("id", required=True),
                _uuid("organization_id", required=True),
                _uuid("program_id"),
                _text("name", required=True),
                _text("alternate_name", "フリガナ"),
                _text("description", "サービス内容と備考"),
                _text("url", format=URI),
                _text("email", format=EMAIL),
                _text("status", required=True, enum=("active", "inactive", "defunct", "temporarily closed")),
                *_columns("interpretation_services application_process fees_description wait_time fees accreditations"),
                _text("eligibility_description", "対象年齢"),
                _number("minimum_age"),
                _number("maximum_age"),
                Column("assured_date", "date", description="最終確認日"),
                _text("assurer_email", format=EMAIL),
                _text("licenses"),
                _text("alert", "空き状況（確認日）"),
                Column("last_modified", "datetime"),
            ],
            {"organization_id": "organization"},
        ),
        Table(
            "location",
            "locations.csv",
            "Where each organization is.",
            [
                _uuid("id", required=True),
                _text("location_type", required=True, enum=LOCATION_TYPES),
                _text("url", format=URI),
                _uuid("organization_id"),
                *_columns("name alternate_name description transportation", description="区市町村と地区"),
                _number("latitude"),
                _number("longitude"),
                *_columns("external_identifier external_identifier_type"),
            ],
            {"organization_id": "organization"},
        ),
        Table(
            "service_at_location",
            "service_at_location.csv",
            "Each service at its organization's location.",
            [_uuid("id", required=True), _uuid("service_id", True), _uuid("location_id", True), _text("description")],
            {"service_id": "service", "location_id": "location"},
        ),
        Table(
            "address",
            "addresses.csv",
            "The address of each location that has one and a postal code (Japanese order).",
            [
                _uuid("id", required=True),
                _uuid("location_id"),
                _text("attention"),
                _text("address_1", "区市町村より後（町域・番地）", required=True),
                _text("address_2"),
                _text("city", "区市町村", required=True),
                _text("region", "地区"),
                _text("state_province", "都道府県", required=True),
                _text("postal_code", "郵便番号（123-4567）", required=True),
                _text("country", "ISO 3166-1 alpha-2", required=True),
                _text("address_type", required=True, enum=LOCATION_TYPES),
            ],
            {"location_id": "location"},
        ),
        Table(
            "phone",
            "phones.csv",
            "Telephone (voice) and FAX (fax) numbers of each location.",
            [
                _uuid("id", required=True),
                _uuid("location_id"),
                _uuid("service_id"),
                _uuid("organization_id"),
                _uuid("contact_id"),
                _uuid("service_at_location_id"),
                _text("number", required=True),
                _number("extension"),
                _text("type"),
                _text("description"),
            ],
            {"location_id": "location", "organization_id": "organization"},
        ),
        Table(
            "schedule",
            "schedules.csv",
            "Opening hours (受付・営業時間).",
            [
                _uuid("id", required=True),
                _uuid("service_id"),
                _uuid("location_id"),
                _uuid("service_at_location_id"),
                Column("valid_from", "date"),
                Column("valid_to", "date"),
                Column("dtstart", "date"),
                _number("timezone"),
                Column("until", "date"),
                _number("count"),
                _text("wkst", enum=("MO", "TU", "WE", "TH", "FR", "SA", "SU")),
                _text("freq", enum=("WEEKLY", "MONTHLY")),
                _number("interval"),
                *_columns("byday byweekno bymonthday byyearday description", description="受付・営業時間"),
                Column("opens_at", "time"),
                Column("closes_at", "time"),
                _text("schedule_link", format=URI),
                *_columns("attending_type notes"),
            ],
            {"service_id": "service", "location_id": "location"},
        ),
        Table(
            "taxonomy",
            "taxonomies.csv",
            "The vocabularies the attributes use.",
            [
                _uuid("id", required=True),
                _text("name", required=True),
                _text("description", required=True),
                _text("uri", format=URI),
                _text("version"),
            ],
        ),
        Table(
            "taxonomy_term",
            "taxonomy_terms.csv",
            "The terms of the vocabularies.",
            [
                _uuid("id", required=True),
                _text("code", unique=True),
                _text("name", required=True),
                _text("description", required=True),
                _uuid("parent_id"),
                _text("taxonomy"),
                _text("language"),
                _uuid("taxonomy_id"),
                _text("term_uri", format=URI),
            ],
            {"taxonomy_id": "taxonomy"},
        ),
        Table(
            "attribute",
            "attributes.csv",
            "Terms applied to services: the medical-care acceptance matrix (value: accepted, conditional, "
            "refused, unknown), the category, a coordinator on staff. label (an extension column) is the "
            "Japanese display: 可・条件付き：条件・不可・未確認.",
            [
                _uuid("id", required=True),
                _uuid("link_id", True),
                _uuid("taxonomy_term_id", True),
                _text("link_type"),
                _text("link_entity", required=True),
                _text("value"),
                _text("label", "表示（条件を含む）", extension=True),
            ],
            {"taxonomy_term_id": "taxonomy_term", "link_id": "service"},
        ),
    ]
    return {table.name: table for table in tables}


@dataclass
class Package:
    tables: dict[str, Table]
    # Names of the providers whose address is not published for want of a postal code.
    addresses_left_out: list[str] = field(default_factory=list)

    def descriptor(self) -> dict:
        return {
            "profile": "tabular-data-package",
            "name": "tsunagu-provider-directory",
            "title": "つなぐ 機関・事業所ディレクトリ",
            "description": (
                f"The provider directory of a 医療的ケア児等コーディネーター office as an Open Referral "
                f"Human Services Data Specification (HSDS) {HSDS_VERSION} tabular data package. "
                "Ids are stable across exports (UUIDv5 of natural keys)."
            ),
            "version": HSDS_VERSION,
            "keywords": ["HSDS", "Open Referral", "医療的ケア児"],
            "resources": [table.resource() for table in self.tables.values()],
        }


# --- building -------------------------------------------------------------------------------------


def split_address(address: str, municipality: str) -> tuple[str, str]:
    """(都道府県, the rest after the municipality) of a Japanese address (`東京都北区王子1-2-3` → 東京都, 王子1-2-3)."""
    match = _PREFECTURE.match(address)
    prefecture = match.group(1) if match else ""
    rest = address[len(prefecture) :]
    if municipality and rest.startswith(municipality):
        rest = rest[len(municipality) :]
    return prefecture, rest.strip() or address


def _ages(provider: Provider) -> str:
    if provider.ages_from is None and provider.ages_to is None:
        return ""
    start = f"{provider.ages_from}歳" if provider.ages_from is not None else ""
    end = f"{provider.ages_to}歳" if provider.ages_to is not None else ""
    return f"{start}～{end}"


def _provider_keys(providers: Sequence[Provider]) -> dict[int, tuple[str, ...]]:
    """Each provider's natural key; a key two providers share gets `#2`, `#3` in the order of their ids."""
    keys, seen = {}, {}
    for provider in sorted(providers, key=lambda p: p.pk):
        key = provider_key(provider.name, effective_municipality(provider))
        seen[key] = seen.get(key, 0) + 1
        keys[provider.pk] = key if seen[key] == 1 else (*key, f"#{seen[key]}")
    return keys


def build_package(
    *,
    providers: Iterable[Provider],
    procedures: Sequence[MedicalCareProcedure],
    categories: Sequence[ProviderCategory],
) -> Package:
    """The package of the given providers (category, district and acceptances loaded with them)."""
    providers = list(providers)
    tables = _tables()
    left_out: list[str] = []  # providers with an address but no postal code: HSDS requires one
    term_ids = _add_taxonomies(tables, procedures, categories)
    keys = _provider_keys(providers)
    for provider in providers:
        key = keys[provider.pk]
        organization_id = hsds_id("organization", *key)
        service_id = hsds_id("service", *key)
        location_id = hsds_id("location", *key)
        municipality = effective_municipality(provider)
        tables["organization"].rows.append(
            {
                "id": organization_id,
                "name": provider.name,
                "alternate_name": provider.name_kana,
                "description": provider.category.name,
                "email": provider.email,
                "website": provider.url,
            }
        )
        description = provider.services
        if provider.public_note:
            description = f"{description}\n\n備考：{provider.public_note}".strip()
        alert = ""
        if provider.vacancy_note:
            noted = f"（{provider.vacancy_noted_on.isoformat()}確認）" if provider.vacancy_noted_on else ""
            alert = f"空き状況{noted}：{provider.vacancy_note}"
        tables["service"].rows.append(
            {
                "id": service_id,
                "organization_id": organization_id,
                "name": provider.name,
                "alternate_name": provider.name_kana,
                "description": description,
                "url": provider.url,
                "email": provider.email,
                "status": "active",
                "eligibility_description": _ages(provider),
                "minimum_age": provider.ages_from,
                "maximum_age": provider.ages_to,
                "assured_date": provider.verified_on.isoformat() if provider.verified_on else "",
                "alert": alert,
            }
        )
        place = " ".join(part for part in [municipality, provider.district.name if provider.district else ""] if part)
        tables["location"].rows.append(
            {
                "id": location_id,
                "location_type": "physical",
                "organization_id": organization_id,
                "name": provider.name,
                "description": place,
            }
        )
        tables["service_at_location"].rows.append(
            {
                "id": hsds_id("service_at_location", *key),
                "service_id": service_id,
                "location_id": location_id,
            }
        )
        found = postal.area(provider.postal_code) if provider.address and provider.postal_code else None
        if found is not None:
            # HSDS requires the postal code, prefecture and city of an address: the code's area fills
            # in what the written address leaves out.
            prefecture, rest = split_address(provider.address, municipality or found.city)
            tables["address"].rows.append(
                {
                    "id": hsds_id("address", *key),
                    "location_id": location_id,
                    "address_1": rest,
                    "city": municipality or found.city,
                    "region": provider.district.name if provider.district else "",
                    "state_province": prefecture or found.prefecture,
                    "postal_code": found.code,
                    "country": "JP",
                    "address_type": "physical",
                }
            )
        elif provider.address:
            left_out.append(provider.name)
        for number, kind, label in [(provider.phone, "voice", "電話"), (provider.fax, "fax", "FAX")]:
            if number:
                tables["phone"].rows.append(
                    {
                        "id": hsds_id("phone", *key, kind),
                        "location_id": location_id,
                        "organization_id": organization_id,
                        "number": number,
                        "type": kind,
                        "description": label,
                    }
                )
        hours = sorted(provider.schedules.all(), key=lambda row: row.position)
        for row in hours:
            # One weekly row per span: the days in byday, the times as HSDS's HH:MM:SS, a readable
            # line in Japanese and the provider's own text as the note.
            tables["schedule"].rows.append(
                {
                    "id": hsds_id("schedule", *key, str(row.position)),
                    "service_id": service_id,
                    "location_id": location_id,
                    "freq": "WEEKLY",
                    "byday": row.byday,
                    "description": row.label,
                    "opens_at": row.opens_at.strftime("%H:%M:%S"),
                    "closes_at": row.closes_at.strftime("%H:%M:%S"),
                    "notes": provider.opening_hours,
                }
            )
        if provider.opening_hours and not hours:
            tables["schedule"].rows.append(
                {
                    "id": hsds_id("schedule", *key),
                    "service_id": service_id,
                    "location_id": location_id,
                    "description": provider.opening_hours,
                }
            )
        _add_attributes(tables["attribute"], provider, key, service_id, term_ids)
    return Package(tables, addresses_left_out=left_out)


def _add_taxonomies(tables, procedures, categories) -> dict[tuple[str, str], str]:
    """The three vocabularies and their terms; returns (taxonomy code, term code) → term id."""
    terms = {
        MEDICAL_CARE: [(p.code, p.name, p.description or p.name) for p in procedures],
        CATEGORY: [(c.code, c.name, c.name) for c in categories],
        STAFFING: [(COORDINATOR_TERM[0], COORDINATOR_TERM[1], COORDINATOR_TERM[1])],
    }
    term_ids = {}
    for code, (name, description) in TAXONOMIES.items():
        taxonomy_id = hsds_id("taxonomy", code)
        tables["taxonomy"].rows.append({"id": taxonomy_id, "name": name, "description": description})
        for term_code, term_name, term_description in terms[code]:
            term_id = hsds_id("taxonomy_term", code, term_code)
            term_ids[code, term_code] = term_id
            tables["taxonomy_term"].rows.append(
                {
                    "id": term_id,
                    "code": term_code,
                    "name": term_name,
                    "description": term_description,
                    "taxonomy": name,
                    "taxonomy_id": taxonomy_id,
                    "language": "ja",
                }
            )
    return term_ids


def _add_attributes(table: Table, provider: Provider, key, service_id: str, term_ids) -> None:
    def add(taxonomy: str, term: str, value: str, label: str):
        table.rows.append(
            {
                "id": hsds_id("attribute", *key, taxonomy, term),
                "link_id": service_id,
                "taxonomy_term_id": term_ids[taxonomy, term],
                "link_type": LINK_TYPES[taxonomy],
                "link_entity": "service",
                "value": value,
                "label": label,
            }
        )

    add(CATEGORY, provider.category.code, "", provider.category.name)
    if provider.has_coordinator:
        add(STAFFING, COORDINATOR_TERM[0], "true", COORDINATOR_TERM[1])
    # Reads the prefetched acceptances; a procedure without a row is 未確認 and not listed.
    for cell in sorted(provider.acceptances.all(), key=lambda cell: cell.procedure.position):
        add(MEDICAL_CARE, cell.procedure.code, Acceptance(cell.status).value, acceptance_label(cell.status, cell.note))


# --- files ----------------------------------------------------------------------------------------


def package_files(package: Package) -> dict[str, bytes]:
    """`datapackage.json` and the CSVs, by file name."""
    files = {
        "datapackage.json": (json.dumps(package.descriptor(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    }
    for table in package.tables.values():
        files[table.path] = table.csv_bytes()
    return files


def directory_package() -> Package:
    """The package of today's directory: every active provider (five queries)."""
    return build_package(
        providers=providers_for_hsds(),
        procedures=list(MedicalCareProcedure.objects.order_by("position")),
        categories=list(ProviderCategory.objects.order_by("position")),
    )


def write_package(directory: Path, package: Package) -> list[Path]:
    """Writes the package's files into the directory (created if missing); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in package_files(package).items():
        path = directory / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def package_zip(package: Package) -> bytes:
    """The package's files in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in package_files(package).items():
            archive.writestr(name, content)
    return buffer.getvalue()
