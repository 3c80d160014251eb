"""Clients to and from the office's spreadsheets."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from import_export import fields, resources, widgets

from coordination.clients import services
from coordination.clients.models import CLIENT_FIELDS, Client, ClientStatus
from coordination.natural_keys import (
    DistrictWidget,
    ImportResourceMixin,
    KanaWidget,
    ProceduresWidget,
    UserWidget,
    client_key,
)
from directory.models import MedicalCareProcedure
from tabular.widgets import ChoiceLabelWidget, DateCellWidget, TextWidget, YesNoWidget
from tabular.widgets import cell_text as _text


@dataclass
class ImportedClient:
    """What a client row's import_instance found, for skip_row and save_instance."""

    # The saved client's values of the compared fields before the row was applied ({} for a new one).
    original: dict[str, object]
    # None: the file has no procedures column, so the saved ones stay.
    procedures: list[MedicalCareProcedure] | None = None


class ClientResource(ImportResourceMixin, resources.ModelResource):
    """Clients from the office's spreadsheets, found again by 氏名 + フリガナ + 生年月日.

    A row whose client exists updates the cells the row fills in; a blank cell keeps what is saved
    (a spreadsheet that lacks a fact must not erase what was entered on screen). A row that
    changes nothing is skipped as unchanged.
    """

    name = fields.Field(attribute="name", column_name="氏名", widget=TextWidget(name=True))
    name_kana = fields.Field(attribute="name_kana", column_name="フリガナ", widget=KanaWidget())
    birth_date = fields.Field(attribute="birth_date", column_name="生年月日", widget=DateCellWidget())
    district = fields.Field(attribute="district", column_name="地区", widget=DistrictWidget())
    municipality_outside = fields.Field(
        attribute="municipality_outside", column_name="区外の住所地", widget=TextWidget()
    )
    has_medical_care = fields.Field(
        attribute="has_medical_care", column_name="医療的ケア", widget=YesNoWidget("あり", "なし")
    )
    procedures = fields.Field(attribute="procedures", column_name="医療的ケアの内容", widget=ProceduresWidget())
    status = fields.Field(
        attribute="status", column_name="状況", widget=ChoiceLabelWidget(ClientStatus, ClientStatus.ACTIVE)
    )
    assigned_coordinator = fields.Field(
        attribute="assigned_coordinator", column_name="担当コーディネーター", widget=UserWidget()
    )
    consent_obtained_on = fields.Field(
        attribute="consent_obtained_on", column_name="情報共有の同意日", widget=DateCellWidget()
    )
    consent_scope = fields.Field(attribute="consent_scope", column_name="同意の範囲", widget=TextWidget())

    required_columns = ("氏名", "フリガナ", "生年月日")
    duplicate_message = "同じ相談対象者（氏名・フリガナ・生年月日）が{row}行目にもあります。1行にまとめてください。"
    example_row = {
        "氏名": "北 花子",
        "フリガナ": "キタ ハナコ",
        "生年月日": "2019/5/15",
        "地区": "王子地区",
        "区外の住所地": "",
        "医療的ケア": "あり",
        "医療的ケアの内容": "経管栄養、吸引",
        "状況": "支援中",
        "担当コーディネーター": "青木 ひかり",
        "情報共有の同意日": "2025/4/1",
        "同意の範囲": "保育園・訪問看護ステーションとの情報共有",
    }

    class Meta:
        model = Client
        fields = (
            "name",
            "name_kana",
            "birth_date",
            "district",
            "municipality_outside",
            "has_medical_care",
            "procedures",
            "status",
            "assigned_coordinator",
            "consent_obtained_on",
            "consent_scope",
        )
        # The services validate everything when saving (in the dry run too, which rolls back).
        clean_model_instances = False
        report_skipped = True
        store_row_values = True
        # Rows are compared in skip_row; import-export's diff would read each client's procedures.
        skip_diff = True
        use_transactions = True

    @cached_property
    def compared_attnames(self) -> list[str]:
        """The columns of the client's own row that the import may change (procedures aside)."""
        return [
            Client._meta.get_field(field.attribute).attname
            for field in self.get_import_fields()
            if not isinstance(field.widget, widgets.ManyToManyWidget)
        ]

    def row_key(self, row) -> tuple | None:
        try:
            birth_date = self.fields["birth_date"].clean(row)
        except (ValueError, KeyError):
            return None
        if not _text(row.get("氏名")) or birth_date is None:
            return None
        return client_key(row.get("氏名"), row.get("フリガナ", ""), birth_date)

    def get_instance(self, instance_loader, row):
        key = self.row_key(row)
        matches = self.lookups.clients.get(key, []) if key else []
        return matches[0] if len(matches) == 1 else None

    def init_instance(self, row=None):
        return Client(office=self.office)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.new_clients: list[services.NewClient] = []

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self.new_clients and not (result.has_errors() or result.has_validation_errors()):
            services.clients_create_many(office=self.office, user=self.user, new_clients=self.new_clients)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        imported = ImportedClient(original={})
        if instance.pk is not None:
            imported.original = {attname: getattr(instance, attname) for attname in self.compared_attnames}
            # import-export leaves alone the fields whose column is missing from the row.
            row = {column: value for column, value in row.items() if _text(value)}
        self.imported[self.row_number] = imported
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        imported.procedures = self.clean_many("procedures", row, errors)
        self.require(instance, row, errors, ["name", "birth_date"])
        self.check_duplicate(errors, "name")
        key = self.row_key(row)
        if key and len(self.lookups.clients.get(key, [])) > 1:
            errors["name"] = ValidationError(
                "この氏名・フリガナ・生年月日の相談対象者が既に複数います。画面で確かめてください。"
            )
        if imported.procedures and not instance.has_medical_care and "has_medical_care" not in errors:
            errors["has_medical_care"] = ValidationError(
                "医療的ケアの内容を書いた場合は「医療的ケア」を「あり」にしてください。"
            )
        if errors:
            raise ValidationError(errors)

    def saved_procedures(self, client) -> list[MedicalCareProcedure]:
        return self.lookups.client_procedures.get(client.pk, [])

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        imported = self.imported[self.row_number]
        fields_same = all(getattr(instance, attname) == value for attname, value in imported.original.items())
        procedures_same = imported.procedures is None or sorted(p.pk for p in imported.procedures) == sorted(
            p.pk for p in self.saved_procedures(instance)
        )
        return fields_same and procedures_same

    def save_instance(self, instance, is_create, row, **kwargs):
        values = {name: getattr(instance, name) for name in CLIENT_FIELDS}
        procedures = self.imported[self.row_number].procedures
        if is_create:
            # Checked now (its errors belong to this row), saved with the other new clients after the
            # last row: a file of 10,000 new clients costs a few inserts, not 10,000 saves.
            self.new_clients.append(
                services.client_build(
                    office=self.office,
                    user=self.user,
                    office_district_ids=self.lookups.district_ids,
                    procedures=procedures or [],
                    **values,
                )
            )
            return
        # An update keeps what the file does not have: its other fields, procedures and guardians.
        if procedures is None:
            procedures = self.saved_procedures(instance)
        guardians = [
            services.GuardianEntry(
                name=g.name, relationship=g.relationship, phone=g.phone, email=g.email, is_primary=g.is_primary, pk=g.pk
            )
            for g in instance.guardians.all()
        ]
        services.client_update(client=instance, user=self.user, procedures=procedures, guardians=guardians, **values)

    def save_m2m(self, instance, row, **kwargs):
        """Saved with the client by the services."""

    def row_label(self, row) -> str:
        kana = _text(row.get("フリガナ"))
        return f"{_text(row.get('氏名'))}（{kana}）" if kana else _text(row.get("氏名"))
