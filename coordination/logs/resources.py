"""Contact logs to and from the office's spreadsheets."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from import_export import fields, resources

from coordination.followups.models import FollowUp
from coordination.followups.services import follow_up_create
from coordination.logs import services
from coordination.logs.models import ActivityType, ContactLog, Counterpart, SupportKind
from coordination.natural_keys import (
    CLIENT_BIRTH_DATE,
    CLIENT_KANA,
    CLIENT_NAME,
    ClientWidget,
    ImportResourceMixin,
    LeafWidget,
    LeavesWidget,
    MinutesWidget,
    TimeCellWidget,
    UserWidget,
    split_cell,
)
from tabular.widgets import ChoiceLabelWidget, DateCellWidget, TextWidget, YesNoWidget
from tabular.widgets import cell_text as _text

# Counterparts may name organizations containing 、 or a comma, so they split on lines and ； only.
_COUNTERPART_SEPARATORS = re.compile(r"[\n\r;；]+")


COUNTERPARTS = "相談者・相手先"


SUPPORT_KIND = "支援の種類"


FOLLOW_UP_ACTION, FOLLOW_UP_DUE_ON, FOLLOW_UP_DONE_ON = "次の対応", "対応期限", "対応済みの日"


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
    # A blank cell leaves the kind to the services' default (個別 with a client, 地域 without).
    support_kind = fields.Field(
        attribute="support_kind", column_name=SUPPORT_KIND, widget=ChoiceLabelWidget(SupportKind, "")
    )
    method = fields.Field(attribute="method", column_name="方法", widget=LeafWidget("methods"))
    counterparts = fields.Field(column_name=COUNTERPARTS, dehydrate_method="dehydrate_counterparts")
    activity_types = fields.Field(
        attribute="activity_types", column_name="種別", widget=LeavesWidget(ActivityType, "activity_types")
    )
    report_summary = fields.Field(attribute="report_summary", column_name="報告書用の要約", widget=TextWidget())
    include_in_report = fields.Field(attribute="include_in_report", column_name="報告書に載せる", widget=YesNoWidget())
    # The log's follow-up (a FollowUp of its own since issue 14), in the columns the files always had.
    follow_up_action = fields.Field(column_name=FOLLOW_UP_ACTION, widget=TextWidget())
    follow_up_due_on = fields.Field(column_name=FOLLOW_UP_DUE_ON, widget=DateCellWidget(allow_future=True))
    follow_up_done_on = fields.Field(column_name=FOLLOW_UP_DONE_ON, widget=DateCellWidget())

    class Meta:
        model = ContactLog
        fields = (
            "occurred_on",
            "started_at",
            "duration_minutes",
            "coordinator",
            "client",
            "client_kana",
            "client_birth_date",
            "support_kind",
            "method",
            "counterparts",
            "activity_types",
            "report_summary",
            "include_in_report",
            "follow_up_action",
            "follow_up_due_on",
            "follow_up_done_on",
        )
        # The export reads logs a chunk at a time, three queries a chunk (logs, counterparts, types).
        chunk_size = 500

    def dehydrate_counterparts(self, log: ContactLog) -> str:
        # Reads the prefetched counterparts when the queryset prefetched them.
        return "\n".join(counterpart_label(counterpart) for counterpart in log.counterparts.all())

    def _follow_up_cell(self, log: ContactLog, name: str, attribute: str) -> str:
        # The list's queryset annotates the log's (first) follow-up; without it, one query a log.
        if hasattr(log, name):
            value = getattr(log, name)
        else:
            follow_up = log.follow_ups.order_by("pk").first()
            value = getattr(follow_up, attribute) if follow_up else None
        return self.fields[name].widget.render(value)

    def dehydrate_follow_up_action(self, log: ContactLog) -> str:
        return self._follow_up_cell(log, "follow_up_action", "action")

    def dehydrate_follow_up_due_on(self, log: ContactLog) -> str:
        return self._follow_up_cell(log, "follow_up_due_on", "due_on")

    def dehydrate_follow_up_done_on(self, log: ContactLog) -> str:
        return self._follow_up_cell(log, "follow_up_done_on", "done_on")


@dataclass
class ImportedLog:
    """What a log row names besides the log's own fields, read once by import_instance."""

    activity_types: list[ActivityType] | None
    counterparts: list[services.CounterpartEntry] | None
    # The follow-up the row asks for: (action, due date, done date), or None.
    follow_up: tuple[str, date | None, date | None] | None = None


# A log's natural fields: logs equal in these are compared in full.
LogKey = tuple[date, time | None, int | None, int | None, int | None]


class ContactLogImportResource(ImportResourceMixin, ContactLogResource):
    """Contact logs from the office's spreadsheets.

    A log has no natural key of its own, so import only adds: a row equal to a log the office
    already has (same date, start, coordinator, client and method, and the same everything else)
    is skipped as unchanged, any other row becomes a new log. Corrections are made on screen.
    """

    confidential_notes = fields.Field(attribute="confidential_notes", column_name="記録（要配慮）", widget=TextWidget())

    required_columns = (
        "日付",
        "コーディネーター",
        CLIENT_NAME,
        CLIENT_KANA,
        CLIENT_BIRTH_DATE,
        "方法",
        COUNTERPARTS,
        "種別",
    )
    example_row = {
        "日付": "2025/4/1",
        "開始時刻": "10:30",
        "所要時間（分）": "20",
        "コーディネーター": "青木 ひかり",
        CLIENT_NAME: "北 花子",
        CLIENT_KANA: "キタ ハナコ",
        CLIENT_BIRTH_DATE: "2019/5/15",
        SUPPORT_KIND: "個別支援",
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
            if field.attribute
            and not field.readonly
            and field.column_name in (dataset.headers or [])
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
        """The signatures of the office's logs in the file's dates, by natural fields: four
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
        follow_ups = {}
        for log_id, *values in (
            FollowUp.objects.filter(contact_log__in=logs)
            .order_by("-pk")
            .values_list("contact_log_id", "action", "due_on", "done_on")
        ):
            follow_ups[log_id] = tuple(values)  # the first one (lowest id) is written last
        for log in logs:
            index[self.log_key(log)].append(
                self.signature(log, activity_types[log.pk], counterparts[log.pk], follow_ups.get(log.pk))
            )
        return index

    @staticmethod
    def log_key(log: ContactLog) -> LogKey:
        return (log.occurred_on, log.started_at, log.coordinator_id, log.client_id, log.method_id)

    def signature(self, log, activity_type_ids, counterpart_keys, follow_up) -> tuple:
        """What a row sets on a log, for comparing a row with the logs the office has."""
        values = tuple(getattr(log, attname) for attname in self.compared_attnames)
        return values, sorted(activity_type_ids), sorted(counterpart_keys, key=str), follow_up

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
            follow_up=self.clean_follow_up(instance, row, errors),
        )
        self.imported[self.row_number] = imported
        # Defaulted here rather than by the services: a row is compared with saved logs as it will be saved.
        instance.support_kind = instance.support_kind or SupportKind.default_for(instance.client_id)
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
        for item in split_cell(row.get(COUNTERPARTS), _COUNTERPART_SEPARATORS):
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

    def clean_follow_up(self, instance, row, errors) -> tuple[str, date | None, date | None] | None:
        """次の対応, 対応期限 and 対応済みの日: the log's follow-up, saved as a FollowUp with the log."""
        values = {}
        for name in ("follow_up_action", "follow_up_due_on", "follow_up_done_on"):
            field = self.fields[name]
            if field.column_name not in row:
                values[name] = None
                continue
            try:
                values[name] = field.clean(row)
            except ValueError as error:
                errors[field.column_name] = ValidationError(str(error))
                values[name] = None
        action = (values["follow_up_action"] or "").strip()
        due_on, done_on = values["follow_up_due_on"], values["follow_up_done_on"]
        limit = FollowUp._meta.get_field("action").max_length
        if len(action) > limit:
            errors[FOLLOW_UP_ACTION] = ValidationError(f"次の対応が長すぎます（{limit}字まで、いま{len(action)}字）。")
        elif not action and (due_on or done_on):
            column = FOLLOW_UP_DUE_ON if due_on else FOLLOW_UP_DONE_ON
            errors[FOLLOW_UP_ACTION] = ValidationError(f"{column}を書く場合は次の対応も書いてください。")
        if due_on and instance.occurred_on and due_on < instance.occurred_on:
            errors[FOLLOW_UP_DUE_ON] = ValidationError("対応期限は記録の日付より後の日にしてください。")
        return (action, due_on, done_on) if action else None

    def imported_signature(self, instance, imported: ImportedLog) -> tuple:
        return self.signature(
            instance,
            [node.pk for node in imported.activity_types],
            [entry.key for entry in imported.counterparts],
            imported.follow_up,
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        wanted = self.imported_signature(instance, self.imported[self.row_number])
        return wanted in self.saved_logs.get(self.log_key(instance), [])

    def save_instance(self, instance, is_create, row, **kwargs):
        imported = self.imported[self.row_number]
        log = services.contact_log_create(
            office=self.office,
            coordinator=instance.coordinator,
            occurred_on=instance.occurred_on,
            method=instance.method,
            activity_types=imported.activity_types,
            counterparts=imported.counterparts,
            started_at=instance.started_at,
            duration_minutes=instance.duration_minutes,
            client=instance.client,
            support_kind=instance.support_kind,
            report_summary=instance.report_summary,
            include_in_report=instance.include_in_report,
            confidential_notes=instance.confidential_notes,
        )
        if imported.follow_up:
            action, due_on, done_on = imported.follow_up
            # Assigned to the log's coordinator, who wrote it; a done date from the file closes it.
            follow_up_create(
                office=self.office,
                created_by=instance.coordinator,
                action=action,
                due_on=due_on,
                done_on=done_on,
                contact_log=log,
            )
        instance.pk = log.pk
        # A later row equal to this one is then unchanged, as if the log had been saved before.
        self.saved_logs[self.log_key(instance)].append(self.imported_signature(instance, imported))

    def save_m2m(self, instance, row, **kwargs):
        """Saved with the log by `contact_log_create`."""

    def row_label(self, row) -> str:
        client = _text(row.get(CLIENT_NAME)) or "対象者なし"
        return f"{_text(row.get('日付'))} {client} {_text(row.get('方法'))}".strip()
