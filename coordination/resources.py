"""Spreadsheet columns of clients and contact logs (django-import-export).

Every reference is by natural key, never a database id: a client by 氏名 + フリガナ + 生年月日
within the office, a method, activity type or counterpart category by its label path
(`訪問 ▸ 自宅`, or the leaf label alone when no other leaf ends the same way), a coordinator by
username or full name. The log export and the log import share their columns, so an exported
file imports back as "no change".
"""
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from import_export import fields, resources, widgets

from common.kana import fold_for_comparison, fold_for_storage
from directory.models import CounterpartCategory, MedicalCareProcedure, Provider
from directory.selectors import office_districts
from tabular.imports import ImportKind
from tabular.resources import SheetImportMixin
from tabular.wareki import format_date
from tabular.widgets import ChoiceLabelWidget, DateCellWidget, TextWidget, YesNoWidget
from tabular.widgets import cell_key as _key
from tabular.widgets import cell_text as _text

from . import services
from accounts.access import office_of
from accounts.models import User
from .models import ActivityType, Client, ClientStatus, ContactLog, ContactMethod, Counterpart

PATH_SEPARATOR = " ▸ "
# Several values in one cell: one a line (Alt+Enter in Excel), or separated by ；, 、 or a comma.
_LIST_SEPARATORS = re.compile(r"[\n\r;；、,，]+")
# Counterparts may name organizations containing 、 or a comma, so they split on lines and ； only.
_COUNTERPART_SEPARATORS = re.compile(r"[\n\r;；]+")
_PATH_PARTS = re.compile(r"[▸>›]")
_SPACES = re.compile(r"\s+")

# The log columns that name its client, and its counterparts' column.
CLIENT_NAME, CLIENT_KANA, CLIENT_BIRTH_DATE = "相談対象者 氏名", "相談対象者 フリガナ", "相談対象者 生年月日"
COUNTERPARTS = "相談者・相手先"


def _split(value, separators=_LIST_SEPARATORS) -> list[str]:
    return [part.strip() for part in separators.split(_text(value)) if part.strip()]


# --- lookups by natural key -------------------------------------------------------------------


class LabelIndex:
    """A category tree's leaves found by label path, or by any end of the path that is unambiguous."""

    def __init__(self, model, noun: str):
        self.noun = noun
        nodes = list(model.objects.order_by("position"))
        by_id = {node.pk: node for node in nodes}
        parents = {node.parent_id for node in nodes}

        def path(node):
            return (path(by_id[node.parent_id]) if node.parent_id else ()) + (node.label,)

        self.leaves: dict[tuple, list] = defaultdict(list)
        self.groups: dict[tuple, list] = defaultdict(list)
        self.paths = {}
        for node in nodes:
            labels = path(node)
            self.paths[node.pk] = labels
            keys = tuple(_key(label) for label in labels)
            target = self.groups if node.pk in parents else self.leaves
            for start in range(len(keys)):
                target[keys[start:]].append(node)
        # A group's first leaf, offered as an example when someone names the group itself.
        self.first_leaf_under = {}
        for node in nodes:
            if node.pk in parents:
                continue
            labels = self.paths[node.pk]
            for depth in range(1, len(labels)):
                self.first_leaf_under.setdefault(labels[:depth], node)

    def label(self, node) -> str:
        return PATH_SEPARATOR.join(self.paths[node.pk])

    def find(self, text: str):
        """The one leaf the text names; a ValueError in Japanese otherwise."""
        keys = tuple(_key(part) for part in _PATH_PARTS.split(text) if part.strip())
        matches = self.leaves.get(keys, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            candidates = "、".join(f"「{self.label(node)}」" for node in matches)
            raise ValueError(
                f"「{text}」に当てはまる{self.noun}が複数あります（{candidates}）。上の区分から書いてください。"
            )
        groups = self.groups.get(keys, [])
        if groups:
            example = self.first_leaf_under.get(self.paths[groups[0].pk])
            hint = f"（例：「{self.label(example)}」）" if example else ""
            raise ValueError(f"「{text}」はまとめの区分です。一番下の区分を書いてください{hint}。")
        raise ValueError(f"「{text}」という{self.noun}はありません。取り込みの説明にある名称で書いてください。")


class Lookups:
    """What an import refers to by natural key, each list loaded once per import (office-scoped)."""

    def __init__(self, office):
        self.office = office

    @cached_property
    def methods(self) -> LabelIndex:
        return LabelIndex(ContactMethod, "方法")

    @cached_property
    def activity_types(self) -> LabelIndex:
        return LabelIndex(ActivityType, "種別")

    @cached_property
    def counterpart_categories(self) -> LabelIndex:
        return LabelIndex(CounterpartCategory, "相談者・相手先の区分")

    @cached_property
    def users(self) -> dict[str, list[User]]:
        index = defaultdict(list)
        for user in User.objects.filter(office=self.office, is_active=True):
            for key in {_key(user.username), _key(f"{user.last_name}{user.first_name}")}:
                if key:
                    index[key].append(user)
        return index

    @cached_property
    def clients(self) -> dict[tuple, list[Client]]:
        index = defaultdict(list)
        for client in Client.objects.for_office(self.office):
            index[client_key(client.name, client.name_kana, client.birth_date)].append(client)
        return index

    @cached_property
    def client_procedures(self) -> dict[int, list[MedicalCareProcedure]]:
        """Client id → its procedures, for every client of the office, in one query."""
        by_id = {procedure.pk: procedure for procedure in self.procedures.values()}
        index = defaultdict(list)
        links = Client.procedures.through.objects.filter(client__office=self.office)
        for client_id, procedure_id in links.values_list("client_id", "medicalcareprocedure_id"):
            index[client_id].append(by_id[procedure_id])
        return index

    @cached_property
    def districts(self) -> dict[str, object]:
        index = {}
        for district in office_districts(self.office):
            index[_key(district.name)] = district
            index[_key(district.name.removesuffix("地区"))] = district
        return index

    @cached_property
    def procedures(self) -> dict[str, MedicalCareProcedure]:
        return {_key(procedure.name): procedure for procedure in MedicalCareProcedure.objects.all()}

    def user(self, text: str) -> User:
        matches = self.users.get(_key(text), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(f"「{text}」に当てはまる職員が複数います。ユーザー名で書いてください。")
        raise ValueError(f"「{text}」という職員はこの事業所にいません。ユーザー名か氏名（例：青木 ひかり）で書いてください。")

    @cached_property
    def providers(self) -> dict[str, list[Provider]]:
        index = defaultdict(list)
        for provider in Provider.objects.only("pk", "name"):
            index[provider.name].append(provider)
        return index

    def provider(self, name: str) -> Provider | None:
        """The directory's provider of exactly this name, or None (then the name is kept as text)."""
        found = self.providers.get(name, [])
        return found[0] if len(found) == 1 else None


def client_key(name, name_kana, birth_date) -> tuple:
    """A client's natural key: names folded (width, kana, spaces) and the birth date."""
    return (fold_for_comparison(_text(name)), fold_for_comparison(_text(name_kana)), birth_date)


# --- widgets: one column's value to and from a spreadsheet cell ------------------------------------


class LookupWidget(widgets.Widget):
    """A widget that resolves names through the import's `Lookups` (bound by the resource)."""

    lookups: Lookups | None = None




class KanaWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return fold_for_storage(_text(value))




class TimeCellWidget(widgets.Widget):
    PATTERN = re.compile(r"^(\d{1,2})(?::|時)(\d{1,2})?分?(?::\d{1,2})?$")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.time().replace(second=0, microsecond=0)
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0)
        text = _SPACES.sub("", unicodedata.normalize("NFKC", _text(value)))
        if not text:
            return None
        match = self.PATTERN.match(text)
        if match and int(match[1]) < 24 and int(match[2] or 0) < 60:
            return time(int(match[1]), int(match[2] or 0))
        raise ValueError(f"「{text}」は時刻として読み取れません。「10:30」のように書いてください。")

    def render(self, value, obj=None, **kwargs):
        return f"{value.hour}:{value.minute:02d}" if value else ""


class MinutesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        else:
            text = _SPACES.sub("", unicodedata.normalize("NFKC", _text(value))).removesuffix("分")
            if not text:
                return None
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"「{_text(value)}」は分の数として読み取れません。「30」のように数字で書いてください。") from None
        if number != int(number) or not 0 <= number <= 1440:
            raise ValueError("所要時間は0～1440の分の数（整数）で書いてください。")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value if value is not None else ""






class UserWidget(LookupWidget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return self.lookups.user(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class LeafWidget(LookupWidget):
    """One leaf of a category tree by its label path."""

    def __init__(self, index: str):
        super().__init__()
        self.index = index

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return getattr(self.lookups, self.index).find(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class LeavesWidget(widgets.ManyToManyWidget):
    """Several leaves of a category tree, one label path a line."""

    lookups: Lookups | None = None

    def __init__(self, model, index: str):
        super().__init__(model, separator="\n")
        self.index = index

    def clean(self, value, row=None, **kwargs):
        index = getattr(self.lookups, self.index)
        found = []
        for part in _split(value):
            node = index.find(part)
            if node not in found:
                found.append(node)
        return found

    def render(self, value, obj=None, **kwargs):
        # Reads the prefetched list when the queryset prefetched it.
        return "\n".join(str(node) for node in value.all()) if value is not None else ""


class DistrictWidget(LookupWidget):
    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        district = self.lookups.districts.get(_key(text))
        if district is None:
            names = "・".join(d.name for d in office_districts(self.lookups.office))
            raise ValueError(
                f"「{text}」はこの事業所の地区にありません（{names}）。区外の場合は「区外の住所地」に区市町村名を書いてください。"
            )
        return district

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class ProceduresWidget(widgets.ManyToManyWidget):
    lookups: Lookups | None = None

    def __init__(self):
        super().__init__(MedicalCareProcedure, separator="、")

    def clean(self, value, row=None, **kwargs):
        found = []
        for part in _split(value):
            procedure = self.lookups.procedures.get(_key(part))
            if procedure is None:
                raise ValueError(f"「{part}」という医療的ケアはありません。取り込みの説明にある14項目の名称で書いてください。")
            if procedure not in found:
                found.append(procedure)
        return found

    def render(self, value, obj=None, **kwargs):
        return "、".join(procedure.name for procedure in value.all()) if value is not None else ""


class ClientWidget(LookupWidget):
    """The log's client from three columns: 氏名, フリガナ and 生年月日 (all blank: no client)."""

    def clean(self, value, row=None, **kwargs):
        name, kana, born = _text(value), _text(row.get(CLIENT_KANA)), row.get(CLIENT_BIRTH_DATE)
        if not (name or kana or _text(born)):
            return None
        if not name:
            raise ValueError(f"相談対象者がいる記録は「{CLIENT_NAME}」も書いてください。")
        try:
            birth_date = DateCellWidget().clean(born)
        except ValueError as error:
            raise ValueError(f"{CLIENT_BIRTH_DATE}：{error}") from None
        matches = self.lookups.clients.get(client_key(name, kana, birth_date), [])
        if len(matches) == 1:
            return matches[0]
        born_label = f"{format_date(birth_date)}生" if birth_date else "生年月日なし"
        who = f"{name}（{kana or 'フリガナなし'}、{born_label}）"
        if matches:
            raise ValueError(f"相談対象者 {who} に当てはまる人が複数います。相談対象者の画面で確かめてください。")
        raise ValueError(
            f"相談対象者 {who} が見つかりません。先に相談対象者を取り込むか、氏名・フリガナ・生年月日を確かめてください。"
        )

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


# --- contact logs ------------------------------------------------------------------------------


def counterpart_label(counterpart: Counterpart) -> str:
    """`医療機関 ▸ 訪問看護：あおば訪問看護ステーション`, or the category alone."""
    organization = counterpart.organization_label
    return f"{counterpart.category}：{organization}" if organization else str(counterpart.category)


class ContactLogResource(resources.ModelResource):
    """The contact log list's export: what the list shows, with names and labels, never ids."""

    occurred_on = fields.Field(attribute="occurred_on", column_name="日付", widget=DateCellWidget())
    started_at = fields.Field(attribute="started_at", column_name="開始時刻", widget=TimeCellWidget())
    duration_minutes = fields.Field(attribute="duration_minutes", column_name="所要時間（分）", widget=MinutesWidget())
    coordinator = fields.Field(attribute="coordinator", column_name="コーディネーター", widget=UserWidget())
    client = fields.Field(attribute="client", column_name=CLIENT_NAME, widget=ClientWidget())
    client_kana = fields.Field(attribute="client__name_kana", column_name=CLIENT_KANA, readonly=True)
    client_birth_date = fields.Field(
        attribute="client__birth_date", column_name=CLIENT_BIRTH_DATE, widget=DateCellWidget(), readonly=True
    )
    method = fields.Field(attribute="method", column_name="方法", widget=LeafWidget("methods"))
    counterparts = fields.Field(column_name=COUNTERPARTS, dehydrate_method="dehydrate_counterparts")
    activity_types = fields.Field(
        attribute="activity_types", column_name="種別", widget=LeavesWidget(ActivityType, "activity_types")
    )
    report_summary = fields.Field(attribute="report_summary", column_name="報告書用の要約", widget=TextWidget())
    include_in_report = fields.Field(attribute="include_in_report", column_name="報告書に載せる", widget=YesNoWidget())
    follow_up_action = fields.Field(attribute="follow_up_action", column_name="次の対応", widget=TextWidget())
    follow_up_due_on = fields.Field(
        attribute="follow_up_due_on", column_name="対応期限", widget=DateCellWidget(allow_future=True)
    )
    follow_up_done_on = fields.Field(attribute="follow_up_done_on", column_name="対応済みの日", widget=DateCellWidget())

    class Meta:
        model = ContactLog
        fields = (
            "occurred_on", "started_at", "duration_minutes", "coordinator", "client", "client_kana",
            "client_birth_date", "method", "counterparts", "activity_types", "report_summary",
            "include_in_report", "follow_up_action", "follow_up_due_on", "follow_up_done_on",
        )
        # The export reads logs a chunk at a time, three queries a chunk (logs, counterparts, types).
        chunk_size = 500

    def dehydrate_counterparts(self, log: ContactLog) -> str:
        # Reads the prefetched counterparts when the queryset prefetched them.
        return "\n".join(counterpart_label(counterpart) for counterpart in log.counterparts.all())


class ImportResourceMixin(SheetImportMixin):
    """What both imports share: natural-key lookups for the office, saving through
    coordination.services (its rules and history); refused formula cells and errors reported by
    column come from `tabular.resources.SheetImportMixin`."""

    def __init__(self, *, office, user, sheet=None, **kwargs):
        super().__init__(sheet=sheet, **kwargs)
        self.office = office
        self.user = user
        self.lookups = Lookups(office)
        for field in self.fields.values():
            if hasattr(field.widget, "lookups"):
                field.widget.lookups = self.lookups


@dataclass
class ImportedLog:
    """What a log row names besides the log's own fields, read once by import_instance."""

    activity_types: list[ActivityType] | None
    counterparts: list[services.CounterpartEntry] | None


# A log's natural fields: logs equal in these are compared in full.
LogKey = tuple[date, time | None, int | None, int | None, int | None]


class ContactLogImportResource(ImportResourceMixin, ContactLogResource):
    """Contact logs from the office's spreadsheets.

    A log has no natural key of its own, so import only adds: a row equal to a log the office
    already has (same date, start, coordinator, client and method, and the same everything else)
    is skipped as unchanged, any other row becomes a new log. Corrections are made on screen.
    """

    confidential_notes = fields.Field(
        attribute="confidential_notes", column_name="記録（要配慮）", widget=TextWidget()
    )

    required_columns = ("日付", "コーディネーター", CLIENT_NAME, CLIENT_KANA, CLIENT_BIRTH_DATE, "方法", COUNTERPARTS, "種別")
    example_row = {
        "日付": "2025/4/1",
        "開始時刻": "10:30",
        "所要時間（分）": "20",
        "コーディネーター": "青木 ひかり",
        CLIENT_NAME: "北 花子",
        CLIENT_KANA: "キタ ハナコ",
        CLIENT_BIRTH_DATE: "2019/5/15",
        "方法": "電話",
        COUNTERPARTS: "母\n医療機関 ▸ 訪問看護：あおば訪問看護ステーション",
        "種別": "在宅医療 ▸ 訪問看護\nサービス調整（全般）",
        "報告書用の要約": "退院後の訪問看護の回数について母と相談",
        "報告書に載せる": "はい",
        "次の対応": "訪問看護ステーションに回数を確認",
        "対応期限": "2025/4/8",
        "対応済みの日": "",
        "記録（要配慮）": "",
    }

    class Meta(ContactLogResource.Meta):
        fields = ContactLogResource.Meta.fields + ("confidential_notes",)
        # The services validate everything when saving (in the dry run too, which rolls back).
        clean_model_instances = False
        force_init_instance = True
        report_skipped = True
        store_row_values = True
        # Rows are compared in skip_row; import-export's diff would read the m2m of an unsaved log.
        skip_diff = True
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # The columns a row sets on a log (the same for every row of the file), and the file's dates.
        self.compared_attnames = [
            ContactLog._meta.get_field(field.attribute).attname
            for field in self.get_import_fields()
            if field.attribute and not field.readonly and field.column_name in (dataset.headers or [])
            and field.attribute != "activity_types"
        ]
        days = set()
        for value in dataset["日付"] if "日付" in (dataset.headers or []) else []:
            try:
                days.add(DateCellWidget().clean(value))
            except ValueError:
                continue
        days.discard(None)
        self.date_range = (min(days), max(days)) if days else None

    @cached_property
    def saved_logs(self) -> dict[LogKey, list[tuple]]:
        """The signatures of the office's logs in the file's dates, by natural fields: three
        queries for the whole file, however many rows it has."""
        index = defaultdict(list)
        if self.date_range is None:
            return index
        logs = ContactLog.objects.for_office(self.office).filter(occurred_on__range=self.date_range)
        activity_types = defaultdict(list)
        links = ContactLog.activity_types.through.objects.filter(contactlog__in=logs)
        for log_id, type_id in links.values_list("contactlog_id", "activitytype_id"):
            activity_types[log_id].append(type_id)
        counterparts = defaultdict(list)
        for log_id, *key in Counterpart.objects.filter(contact_log__in=logs).values_list(
            "contact_log_id", "category_id", "provider_id", "organization_name"
        ):
            counterparts[log_id].append((key[0], key[1], key[2].strip()))
        for log in logs:
            index[self.log_key(log)].append(self.signature(log, activity_types[log.pk], counterparts[log.pk]))
        return index

    @staticmethod
    def log_key(log: ContactLog) -> LogKey:
        return (log.occurred_on, log.started_at, log.coordinator_id, log.client_id, log.method_id)

    def signature(self, log, activity_type_ids, counterpart_keys) -> tuple:
        """What a row sets on a log, for comparing a row with the logs the office has."""
        values = tuple(getattr(log, attname) for attname in self.compared_attnames)
        return values, sorted(activity_type_ids), sorted(counterpart_keys, key=str)

    def init_instance(self, row=None):
        return ContactLog(office=self.office)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        imported = ImportedLog(
            activity_types=self.clean_many("activity_types", row, errors),
            counterparts=self.clean_counterparts(row, errors),
        )
        self.imported[self.row_number] = imported
        self.require(instance, row, errors, ["occurred_on", "coordinator", "method"])
        if "activity_types" not in errors and not imported.activity_types:
            errors["activity_types"] = ValidationError("種別を1つ以上書いてください。")
        if COUNTERPARTS not in errors and not imported.counterparts:
            errors[COUNTERPARTS] = ValidationError("相談者・相手先を1つ以上書いてください。")
        if errors:
            raise ValidationError(errors)

    def clean_counterparts(self, row, errors) -> list[services.CounterpartEntry] | None:
        """`区分` or `区分：機関名`, one a line; a name the directory has exactly links to it."""
        counterparts = []
        messages = []
        for item in _split(row.get(COUNTERPARTS), _COUNTERPART_SEPARATORS):
            label, _, organization = item.replace("：", ":").partition(":")
            label, organization = label.strip(), organization.strip()
            try:
                category = self.lookups.counterpart_categories.find(label)
            except ValueError as error:
                messages.append(str(error))
                continue
            if len(organization) > Counterpart._meta.get_field("organization_name").max_length:
                messages.append(f"機関名「{organization[:20]}…」が長すぎます（200字まで）。")
                continue
            provider = self.lookups.provider(organization) if organization else None
            counterparts.append(
                services.CounterpartEntry(
                    category=category, provider=provider, organization_name="" if provider else organization
                )
            )
        if messages:
            errors[COUNTERPARTS] = ValidationError(messages)
            return None
        return counterparts

    def imported_signature(self, instance, imported: ImportedLog) -> tuple:
        return self.signature(
            instance, [node.pk for node in imported.activity_types], [entry.key for entry in imported.counterparts]
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        wanted = self.imported_signature(instance, self.imported[self.row_number])
        return wanted in self.saved_logs.get(self.log_key(instance), [])

    def save_instance(self, instance, is_create, row, **kwargs):
        imported = self.imported[self.row_number]
        log = services.contact_log_create(
            office=self.office, coordinator=instance.coordinator, occurred_on=instance.occurred_on,
            method=instance.method, activity_types=imported.activity_types,
            counterparts=imported.counterparts, started_at=instance.started_at,
            duration_minutes=instance.duration_minutes, client=instance.client,
            report_summary=instance.report_summary, include_in_report=instance.include_in_report,
            confidential_notes=instance.confidential_notes, follow_up_action=instance.follow_up_action,
            follow_up_due_on=instance.follow_up_due_on, follow_up_done_on=instance.follow_up_done_on,
        )
        instance.pk = log.pk
        # A later row equal to this one is then unchanged, as if the log had been saved before.
        self.saved_logs[self.log_key(instance)].append(self.imported_signature(instance, imported))

    def save_m2m(self, instance, row, **kwargs):
        """Saved with the log by `contact_log_create`."""

    def row_label(self, row) -> str:
        client = _text(row.get(CLIENT_NAME)) or "対象者なし"
        return f"{_text(row.get('日付'))} {client} {_text(row.get('方法'))}".strip()


# --- clients -----------------------------------------------------------------------------------

# What client_create and client_update take besides the office, user, procedures and guardians.
CLIENT_SERVICE_FIELDS = (
    "name", "name_kana", "birth_date", "district", "municipality_outside", "has_medical_care",
    "age_band_override", "age_band_override_reason", "status", "assigned_coordinator",
    "consent_obtained_on", "consent_scope", "consent_taken_by", "notes",
)


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
            "name", "name_kana", "birth_date", "district", "municipality_outside", "has_medical_care",
            "procedures", "status", "assigned_coordinator", "consent_obtained_on", "consent_scope",
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
            errors["name"] = ValidationError("この氏名・フリガナ・生年月日の相談対象者が既に複数います。画面で確かめてください。")
        if imported.procedures and not instance.has_medical_care and "has_medical_care" not in errors:
            errors["has_medical_care"] = ValidationError("医療的ケアの内容を書いた場合は「医療的ケア」を「あり」にしてください。")
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
        values = {name: getattr(instance, name) for name in CLIENT_SERVICE_FIELDS}
        procedures = self.imported[self.row_number].procedures
        if is_create:
            client = services.client_create(office=self.office, user=self.user, procedures=procedures or [], **values)
            instance.pk = client.pk
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


# --- the import kinds (registered in apps.CoordinationConfig.ready) ---------------------------------

# Importing adds and updates clients and adds logs: coordinators only, never supervisors or ward staff.
IMPORT_PERMISSIONS = ("coordination.add_client", "coordination.change_client", "coordination.add_contactlog")


def _office_resource(resource_class):
    """Builds the kind's resource for the signed-in user's office (403 for a user without one)."""

    def make_resource(request, sheet):
        return resource_class(office=office_of(request), user=request.user, sheet=sheet)

    return make_resource


IMPORT_KINDS = [
    ImportKind(
        identifier="clients", verbose_name="相談対象者", resource_class=ClientResource,
        template_stem="取込ひな形_相談対象者", permissions=IMPORT_PERMISSIONS, list_url="client_list",
        make_resource=_office_resource(ClientResource), help_template="coordination/imports/clients_help.html",
    ),
    ImportKind(
        identifier="logs", verbose_name="相談・支援・活動記録", resource_class=ContactLogImportResource,
        template_stem="取込ひな形_相談支援記録", permissions=IMPORT_PERMISSIONS, list_url="log_list",
        make_resource=_office_resource(ContactLogImportResource), help_template="coordination/imports/logs_help.html",
    ),
]
