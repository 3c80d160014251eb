"""Spreadsheet columns of the provider directory (django-import-export): export and import share them.

Every reference is by natural key, never a database id:

- a provider is its 名称 + 区市町村, compared without width, case or spacing differences. A
  provider in one of our districts may leave 区市町村 blank: its district's municipality is used;
- 種別 is the provider category's name (or code), 地区 a district's name, with or without 地区,
  or its code;
- the acceptance matrix is one column per procedure, headed by the procedure's name, a cell
  reading `可`, `条件付き：看護師在籍日のみ`, `不可` or `未確認`: the status, then after `：`
  the note, so the office sees a provider's whole matrix in 14 columns, not 28.

On import a blank cell keeps what is saved (a new provider gets the default): a list that lacks a
fact must not erase what was entered on screen. A row that changes nothing is skipped as
unchanged, so an exported file imports back as "no change".
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from import_export import fields, resources, widgets

from common.kana import fold_kana_only
from tabular.imports import ImportKind
from tabular.resources import SheetImportMixin
from tabular.widgets import DateCellWidget, TextWidget, YesNoWidget, cell_key, cell_text

from . import postal
from .models import (
    PROVIDER_FIELDS,
    Acceptance,
    District,
    MedicalCareProcedure,
    Provider,
    ProviderCategory,
    ProviderProcedure,
)
from .schedules import ScheduleEntry, parse_opening_hours
from .services import AcceptanceEntry, provider_create, provider_update

NAME, MUNICIPALITY, DISTRICT = "名称", "区市町村", "地区"
NOTE_SEPARATOR = "："
_NOTE_SEPARATORS = re.compile(r"[:：]")
_NOTE_IN_BRACKETS = re.compile(r"^(?P<status>[^（(]+)[（(](?P<note>.*)[)）]$")
# Spellings people use for the four statuses besides the labels themselves.
ACCEPTANCE_SYMBOLS = {
    "○": Acceptance.ACCEPTED,
    "◯": Acceptance.ACCEPTED,
    "〇": Acceptance.ACCEPTED,
    "△": Acceptance.CONDITIONAL,
    "×": Acceptance.REFUSED,
    "✕": Acceptance.REFUSED,
    "?": Acceptance.UNKNOWN,
    "-": Acceptance.UNKNOWN,
}
AGE_LIMIT = 120
NOTE_MAX_LENGTH = ProviderProcedure._meta.get_field("note").max_length


def provider_key(name, municipality) -> tuple[str, str]:
    """A provider's natural key: 名称 and 区市町村 without width, case or spacing differences."""
    return (cell_key(cell_text(name)), cell_key(cell_text(municipality)))


def acceptance_label(status: str, note: str = "") -> str:
    """`条件付き：看護師在籍日のみ`, or the status alone."""
    label = Acceptance(status).label
    return f"{label}{NOTE_SEPARATOR}{note}" if note else label


def parse_acceptance(text) -> tuple[str, str]:
    """(status, note) from a cell like `条件付き：看護師在籍日のみ` or `可`; a ValueError in Japanese otherwise."""
    raw = cell_text(text)
    bracketed = _NOTE_IN_BRACKETS.match(raw)
    if bracketed and not _NOTE_SEPARATORS.search(bracketed["status"]):
        status_text, note = bracketed["status"], bracketed["note"]  # 条件付き（9:00～12:00）
    else:
        status_text, _, note = raw.replace(":", NOTE_SEPARATOR).partition(NOTE_SEPARATOR)
        note = raw[len(status_text) + 1 :] if note else ""  # the note as typed, its own colons kept
    status_key, note = cell_key(status_text), note.strip()
    status = ACCEPTANCE_SYMBOLS.get(status_key)
    for choice in Acceptance:
        if status_key in (cell_key(choice.label), choice.value):
            status = choice
    if status is None:
        raise ValueError(
            f"「{raw}」は読み取れません。「可」「条件付き」「不可」「未確認」のどれかを書いてください"
            f"（条件は「条件付き{NOTE_SEPARATOR}看護師在籍日のみ」のように「{NOTE_SEPARATOR}」の後に書きます）。"
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise ValueError(f"条件・備考が長すぎます（{NOTE_MAX_LENGTH}字まで、いまは{len(note)}字）。")
    return status.value, note


# --- lookups by natural key -------------------------------------------------------------------


class ProviderLookups:
    """The reference lists and providers an import refers to, each loaded once per import."""

    @cached_property
    def categories(self) -> dict[str, ProviderCategory]:
        index = {}
        for category in ProviderCategory.objects.all():
            index[cell_key(category.name)] = category
            index[cell_key(category.code)] = category
        return index

    @cached_property
    def districts(self) -> dict[str, list[District]]:
        index = defaultdict(list)
        for district in District.objects.all():
            for name in {district.name, district.name.removesuffix("地区"), district.code}:
                index[cell_key(name)].append(district)
        return index

    @cached_property
    def procedures(self) -> list[MedicalCareProcedure]:
        return list(MedicalCareProcedure.objects.order_by("position"))

    @cached_property
    def providers(self) -> dict[tuple, list[Provider]]:
        index = defaultdict(list)
        for provider in Provider.objects.select_related("district"):
            index[provider_key(provider.name, effective_municipality(provider))].append(provider)
        return index

    @cached_property
    def acceptances(self) -> dict[int, dict[int, tuple[str, str]]]:
        """Provider id → procedure id → (status, note), for telling changed cells from unchanged."""
        index = defaultdict(dict)
        for row in ProviderProcedure.objects.values_list("provider_id", "procedure_id", "status", "note"):
            index[row[0]][row[1]] = (row[2], row[3])
        return index

    def category(self, text: str) -> ProviderCategory:
        category = self.categories.get(cell_key(text))
        if category is None:
            raise ValueError(f"「{text}」という種別はありません。取り込みの説明にある種別の名前で書いてください。")
        return category

    def district(self, text: str, municipality: str) -> District:
        matches = self.districts.get(cell_key(text), [])
        if len(matches) > 1 and municipality:
            matches = [d for d in matches if cell_key(d.municipality) == cell_key(municipality)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(f"「{text}」という地区は複数の区市町村にあります。「{MUNICIPALITY}」も書いてください。")
        raise ValueError(
            f"「{text}」という地区はありません。区外の機関・事業所は地区を空欄にして「{MUNICIPALITY}」だけを書いてください。"
        )


def effective_municipality(provider: Provider) -> str:
    """The provider's 区市町村, or its district's when left blank."""
    if provider.municipality or provider.district_id is None:
        return provider.municipality
    return provider.district.municipality


# --- widgets --------------------------------------------------------------------------------------


class ProviderKanaWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return fold_kana_only(cell_text(value))


class CategoryWidget(widgets.Widget):
    lookups: ProviderLookups | None = None

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        return self.lookups.category(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class ProviderDistrictWidget(widgets.Widget):
    lookups: ProviderLookups | None = None

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        return self.lookups.district(text, cell_text((row or {}).get(MUNICIPALITY))) if text else None

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class PostalCodeWidget(widgets.Widget):
    """`114-0002`, `〒１１４－０００２`, or the number Excel made of `1140002` (leading zeros lost)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
            value = f"{int(value):07d}"
        try:
            return postal.normalize(cell_text(value))
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class AgeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        else:
            text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell_text(value))).removesuffix("歳")
            if not text:
                return None
            try:
                number = float(text)
            except ValueError:
                raise ValueError(
                    f"「{cell_text(value)}」は年齢として読み取れません。「3」のように数字で書いてください。"
                ) from None
        if number != int(number) or not 0 <= number <= AGE_LIMIT:
            raise ValueError(f"年齢は0～{AGE_LIMIT}の整数で書いてください。")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value if value is not None else ""


class VerifierWidget(widgets.Widget):
    """Who verified the entry: shown in the export, never read (the importer is recorded instead)."""

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


# --- the resource -------------------------------------------------------------------------------


@dataclass
class ImportedProvider:
    """What a provider row's import_instance found, for skip_row and save_instance."""

    # The provider's saved values (attname → value) before the row was applied.
    original: dict[str, object]
    # The procedure cells the row fills in: procedure → (status, note).
    acceptances: dict[MedicalCareProcedure, tuple[str, str]]
    # The opening-hour rows read from a new or changed 受付・営業時間 (None: the saved rows stay).
    schedules: list[ScheduleEntry] | None = None


class ProviderResource(SheetImportMixin, resources.ModelResource):
    """Providers to and from the office's spreadsheets; `include_internal_note=False` for people
    who may not read internal notes (the column is then neither written nor read)."""

    name = fields.Field(attribute="name", column_name=NAME, widget=TextWidget(name=True))
    name_kana = fields.Field(attribute="name_kana", column_name="フリガナ", widget=ProviderKanaWidget())
    category = fields.Field(attribute="category", column_name="種別", widget=CategoryWidget())
    district = fields.Field(attribute="district", column_name=DISTRICT, widget=ProviderDistrictWidget())
    postal_code = fields.Field(attribute="postal_code", column_name="郵便番号", widget=PostalCodeWidget())
    municipality = fields.Field(attribute="municipality", column_name=MUNICIPALITY, widget=TextWidget())
    address = fields.Field(attribute="address", column_name="住所", widget=TextWidget())
    phone = fields.Field(attribute="phone", column_name="電話", widget=TextWidget())
    fax = fields.Field(attribute="fax", column_name="FAX", widget=TextWidget())
    email = fields.Field(attribute="email", column_name="メール", widget=TextWidget())
    url = fields.Field(attribute="url", column_name="ウェブサイト", widget=TextWidget())
    opening_hours = fields.Field(attribute="opening_hours", column_name="受付・営業時間", widget=TextWidget())
    ages_from = fields.Field(attribute="ages_from", column_name="対象年齢（から）", widget=AgeWidget())
    ages_to = fields.Field(attribute="ages_to", column_name="対象年齢（まで）", widget=AgeWidget())
    services = fields.Field(attribute="services", column_name="サービス内容", widget=TextWidget())
    has_coordinator = fields.Field(
        attribute="has_coordinator", column_name="コーディネーター在籍", widget=YesNoWidget("あり", "なし")
    )
    vacancy_note = fields.Field(attribute="vacancy_note", column_name="空き状況", widget=TextWidget())
    vacancy_noted_on = fields.Field(
        attribute="vacancy_noted_on", column_name="空き状況の確認日", widget=DateCellWidget()
    )
    public_note = fields.Field(attribute="public_note", column_name="備考", widget=TextWidget())
    internal_note = fields.Field(attribute="internal_note", column_name="内部メモ", widget=TextWidget())
    is_active = fields.Field(attribute="is_active", column_name="有効", widget=YesNoWidget())
    verified_on = fields.Field(attribute="verified_on", column_name="最終確認日", widget=DateCellWidget())
    verified_by = fields.Field(
        attribute="verified_by", column_name="確認した職員", widget=VerifierWidget(), readonly=True
    )

    required_columns = (NAME, MUNICIPALITY)
    duplicate_message = "同じ機関・事業所（名称・区市町村）が{row}行目にもあります。1行にまとめてください。"
    # The template's columns before the 14 procedure columns (see `example()`).
    example_row = {
        NAME: "あおば訪問看護ステーション",
        "フリガナ": "アオバ ホウモンカンゴステーション",
        "種別": "訪問看護ステーション",
        DISTRICT: "王子地区",
        "郵便番号": "114-0002",
        MUNICIPALITY: "北区",
        "住所": "東京都北区王子1-2-3",
        "電話": "03-1234-5678",
        "FAX": "03-1234-5679",
        "メール": "info@aoba.example.jp",
        "ウェブサイト": "https://aoba.example.jp/",
        "受付・営業時間": "月～金 9:00～17:00",
        "対象年齢（から）": "0",
        "対象年齢（まで）": "18",
        "サービス内容": "小児の訪問看護、リハビリ",
        "コーディネーター在籍": "あり",
        "空き状況": "火・木の午前に空きあり",
        "空き状況の確認日": "2025/4/1",
        "備考": "",
        "内部メモ": "",
        "有効": "はい",
        "最終確認日": "2025/4/1",
    }
    # Example cells of the first procedures; the others are left blank (未確認) in the template.
    example_acceptances = ["可", "条件付き：看護師在籍日のみ", "不可"]

    class Meta:
        model = Provider
        fields = (*PROVIDER_FIELDS, "verified_on", "verified_by")
        # full_clean() in the dry run too, so the preview shows the model's own messages by column.
        clean_model_instances = True
        # Rows are compared in skip_row; import-export's diff would read every acceptance row again.
        skip_diff = True
        report_skipped = True
        store_row_values = True
        use_transactions = True
        chunk_size = 500

    def __init__(self, *, user=None, sheet=None, include_internal_note: bool = True, **kwargs):
        super().__init__(sheet=sheet, **kwargs)
        self.user = user
        self.lookups = ProviderLookups()
        if not include_internal_note:
            del self.fields["internal_note"]
        for field in self.fields.values():
            if hasattr(field.widget, "lookups"):
                field.widget.lookups = self.lookups
        self.procedure_columns = {}
        for procedure in self.lookups.procedures:
            self.fields[f"procedure_{procedure.code}"] = fields.Field(
                column_name=procedure.name, dehydrate_method=self._acceptance_cell(procedure)
            )
            self.procedure_columns[procedure.name] = procedure

    @classmethod
    def example(cls) -> dict[str, str]:
        """The template's header and example row: the columns above, then one per procedure."""
        example = dict(cls.example_row)
        for index, procedure in enumerate(MedicalCareProcedure.objects.order_by("position")):
            example[procedure.name] = cls.example_acceptances[index] if index < len(cls.example_acceptances) else ""
        return example

    # --- export ---

    def _acceptance_cell(self, procedure):
        def dehydrate(provider: Provider) -> str:
            # Reads the prefetched acceptances when the queryset prefetched them.
            cells = getattr(provider, "_acceptance_cells", None)
            if cells is None:
                cells = {row.procedure_id: row for row in provider.acceptances.all()}
                provider._acceptance_cells = cells
            row = cells.get(procedure.pk)
            return acceptance_label(row.status, row.note) if row else Acceptance.UNKNOWN.label

        return dehydrate

    # --- import ---

    def row_key(self, row) -> tuple | None:
        """The row's natural key; the district's municipality stands in for a blank 区市町村."""
        name, municipality = cell_text(row.get(NAME)), cell_text(row.get(MUNICIPALITY))
        if not name:
            return None
        if not municipality and cell_text(row.get(DISTRICT)):
            try:
                municipality = self.lookups.district(cell_text(row.get(DISTRICT)), "").municipality
            except ValueError:
                return None
        return provider_key(name, municipality)

    def get_instance(self, instance_loader, row):
        key = self.row_key(row)
        matches = self.lookups.providers.get(key, []) if key else []
        return matches[0] if len(matches) == 1 else None

    def init_instance(self, row=None):
        return Provider()

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        imported = ImportedProvider(
            original={field.attname: getattr(instance, field.attname) for field in Provider._meta.concrete_fields},
            acceptances={},
        )
        self.imported[self.row_number] = imported
        # A blank cell keeps what is saved; import-export leaves alone the fields whose column is missing.
        filled = {column: value for column, value in row.items() if cell_text(value)}
        try:
            super().import_instance(instance, filled, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        imported.acceptances = self.clean_acceptances(filled, errors)
        # A new or changed text fills the structured rows when it parses and empties them when it
        # does not (rows that contradict the text would be worse than none); the text is kept either way.
        if "opening_hours" not in errors and instance.opening_hours != imported.original["opening_hours"]:
            imported.schedules = parse_opening_hours(instance.opening_hours)
        self.require(instance, row, errors, ["name", "category"])
        self.check_place(instance, errors)
        if instance.ages_from is not None and instance.ages_to is not None and instance.ages_from > instance.ages_to:
            errors.setdefault("ages_to", ValidationError("対象年齢（まで）は対象年齢（から）以上にしてください。"))
        self.check_duplicate(errors, "name")
        key = self.row_key(row)
        if key and len(self.lookups.providers.get(key, [])) > 1:
            errors["name"] = ValidationError(
                "この名称・区市町村の機関・事業所が既に複数登録されています。管理サイトで1つにまとめてから取り込んでください。"
            )
        if errors:
            raise ValidationError(errors)

    def check_place(self, instance, errors):
        """A district's municipality fills a blank 区市町村 and must agree with a written one."""
        if "district" in errors or instance.district is None:
            return
        if not instance.municipality:
            instance.municipality = instance.district.municipality
        elif cell_key(instance.municipality) != cell_key(instance.district.municipality):
            errors["municipality"] = ValidationError(
                f"{instance.district.name}は{instance.district.municipality}の地区です。区市町村か地区を直してください。"
            )

    def clean_acceptances(self, row, errors) -> dict[MedicalCareProcedure, tuple[str, str]]:
        """The procedure cells the row fills in: procedure → (status, note)."""
        acceptances = {}
        for column, procedure in self.procedure_columns.items():
            if column not in row:
                continue
            try:
                acceptances[procedure] = parse_acceptance(row[column])
            except ValueError as error:
                errors[column] = ValidationError(str(error))
        return acceptances

    def changed_acceptances(self, instance) -> dict[MedicalCareProcedure, tuple[str, str]]:
        saved = self.lookups.acceptances.get(instance.pk, {}) if instance.pk else {}
        unknown = (Acceptance.UNKNOWN.value, "")
        return {
            procedure: cell
            for procedure, cell in self.imported[self.row_number].acceptances.items()
            if saved.get(procedure.pk, unknown) != cell
        }

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        saved = self.imported[self.row_number].original
        fields_same = all(getattr(instance, attname) == value for attname, value in saved.items())
        return fields_same and not self.changed_acceptances(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The category, district and verifier come from the lookups, loaded from the database once:
        # full_clean() would check each again, a query per row and column.
        import_validation_errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            try:
                instance.full_clean(
                    exclude=[*import_validation_errors, "category", "district", "verified_by"],
                    validate_unique=validate_unique,
                )
            except ValidationError as error:
                import_validation_errors = error.update_error_dict(import_validation_errors)
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        imported = self.imported[self.row_number]
        values = {name: getattr(instance, name) for name in PROVIDER_FIELDS}
        acceptances = [
            AcceptanceEntry(procedure=procedure, status=status, note=note)
            for procedure, (status, note) in imported.acceptances.items()
        ]
        # A new 最終確認日 from the file: the person importing it vouches for that check. Saved with
        # the rest, so a changed provider gets one history record.
        verified_on = instance.verified_on
        verified = bool(verified_on and verified_on != imported.original["verified_on"])
        verification = {"verified": verified, "today": verified_on if verified else None}
        if is_create:
            provider = provider_create(
                user=self.user, acceptances=acceptances, schedules=imported.schedules, **verification, **values
            )
        else:
            provider = provider_update(
                provider=instance,
                user=self.user,
                acceptances=acceptances,
                schedules=imported.schedules,
                **verification,
                **values,
            )
        instance.pk = provider.pk

    def save_m2m(self, instance, row, **kwargs):
        """The acceptances are saved with the provider by the service."""

    def row_label(self, row) -> str:
        place = cell_text(row.get(MUNICIPALITY)) or cell_text(row.get(DISTRICT))
        name = cell_text(row.get(NAME))
        return f"{name}（{place}）" if place else name


# --- the import kind (registered in apps.DirectoryConfig.ready) ------------------------------------


def _resource_for(request, sheet) -> ProviderResource:
    return ProviderResource(user=request.user, sheet=sheet)


# Importing adds and changes providers: coordinators only, never supervisors or ward staff.
PROVIDER_IMPORT = ImportKind(
    identifier="providers",
    verbose_name="機関・事業所",
    resource_class=ProviderResource,
    template_stem="取込ひな形_機関・事業所",
    permissions=("directory.add_provider", "directory.change_provider"),
    list_url="directory:provider_list",
    make_resource=_resource_for,
    help_template="directory/import_help.html",
    position=30,
    # The directory search's plans depend on these tables' statistics (issue 18: 392 ms right after a
    # bulk import of 100,000 providers, 82 ms after ANALYZE).
    refreshes=("directory.Provider", "directory.ProviderProcedure"),
)
