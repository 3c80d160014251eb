"""The contact log form: its choices, counterparts and activity types."""

from django import forms
from django.core.exceptions import ValidationError

from coordination.clients.forms import client_option_label, resolve_typed_client
from coordination.clients.models import Client
from coordination.forms import JapaneseDateField, chosen_pk, with_long_selects
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, SupportKind
from coordination.logs.services import CounterpartEntry
from directory.models import CounterpartCategory, Provider

NO_CLIENT = "none"


NO_CLIENT_LABEL = "対象者なし（地域づくり等）"


def grouped_leaf_choices(leaf_paths) -> list:
    """Select choices from a category tree: a top-level leaf alone, the others in their top group's optgroup."""
    choices, groups = [], {}
    for node, path in leaf_paths:
        if len(path) == 1:
            choices.append((str(node.pk), path[0]))
            continue
        if path[0] not in groups:
            groups[path[0]] = []
            choices.append((path[0], groups[path[0]]))
        # The whole path: a closed select shows the option alone, without its group.
        groups[path[0]].append((str(node.pk), " ▸ ".join(path)))
    return choices


class LogChoices:
    """The category trees a log form offers, read once per request (three queries)."""

    def __init__(self):
        self.methods = ContactMethod.objects.leaf_paths()
        self.activity_types = ActivityType.objects.leaf_paths()
        self.categories = CounterpartCategory.objects.leaf_paths()
        self.method_by_id = {str(node.pk): node for node, _ in self.methods}
        self.activity_type_by_id = {str(node.pk): node for node, _ in self.activity_types}
        self.category_by_id = {str(node.pk): node for node, _ in self.categories}

    def activity_groups(self) -> list[tuple[str | None, list[tuple[str, str]]]]:
        """Activity types as report §5 groups them: a legend per top group, runs of single rows without."""
        groups: list[tuple[str | None, list[tuple[str, str]]]] = []
        for node, path in self.activity_types:
            legend = path[0] if len(path) > 1 else None
            label = " ▸ ".join(path[1:]) if legend else path[0]
            if not groups or groups[-1][0] != legend:
                groups.append((legend, []))
            groups[-1][1].append((str(node.pk), label))
        return groups


class ContactLogForm(forms.Form):
    """A contact log's own fields; its counterparts come in a CounterpartFormSet beside it."""

    occurred_on = JapaneseDateField(label="日付", not_future=True)
    started_at = forms.TimeField(
        label="開始時刻",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "時刻は 10:30 のように入力してください。"},
    )
    duration_minutes = forms.IntegerField(
        label="所要時間（分）",
        required=False,
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "所要時間は分の数字で入力してください。",
            "min_value": "所要時間は1分以上にしてください。",
            "max_value": "所要時間は1440分（24時間）以内にしてください。",
        },
    )
    # Only the chosen client is an option (the page does not list the office's clients): the picker
    # searches client_lookup as the user types, and without JavaScript a name typed in client_name is
    # resolved on the server.
    client = forms.ChoiceField(
        label="相談対象者",
        required=False,
        error_messages={"invalid_choice": "この事業所の相談対象者から選んでください。"},
    )
    client_name = forms.CharField(
        label="相談対象者（氏名・フリガナで探す）",
        required=False,
        max_length=100,
        help_text="選択肢にいない対象者は、氏名かフリガナを入力して保存すると探して選びます。",
    )
    # Not required: left unchosen (no JavaScript, a new log), the services take the client's default.
    support_kind = forms.ChoiceField(
        label="支援の種類",
        required=False,
        choices=SupportKind.choices,
        widget=forms.RadioSelect,
        help_text="選ばなければ、対象者がいれば個別支援、「対象者なし」なら地域支援になります。",
        error_messages={"invalid_choice": "支援の種類は個別支援か地域支援を選んでください。"},
    )
    method = forms.ChoiceField(
        label="方法",
        error_messages={"required": "方法を選んでください。", "invalid_choice": "方法は一覧から選んでください。"},
    )
    activity_types = forms.MultipleChoiceField(
        label="種別",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "種別を1つ以上選んでください。",
            "invalid_choice": "種別は一覧から選んでください。",
        },
    )
    report_summary = forms.CharField(
        label="報告書用の要約（一行）",
        required=False,
        max_length=200,
        help_text="氏名・住所など個人が分かることは書かないでください。例：退院に向けて訪問看護ステーションと調整",
    )
    include_in_report = forms.BooleanField(label="報告書に載せる", required=False)
    confidential_notes = forms.CharField(
        label="記録（要配慮・報告書には出ません）", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up_action = forms.CharField(label="次の対応", required=False, max_length=200)
    follow_up_due_on = JapaneseDateField(label="対応期限", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The version of the log's follow-up the form shows (saved through coordination.followups).
    follow_up_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, office, choices: LogChoices, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.choices = choices
        self.office = office
        chosen = chosen_pk(self.data.get(self.add_prefix("client")) if self.is_bound else self.initial.get("client"))
        self.clients = {str(c.pk): c for c in Client.objects.for_office(office).filter(pk=chosen)} if chosen else {}
        self.fields["client"].choices = [("", "選んでください"), (NO_CLIENT, NO_CLIENT_LABEL)] + [
            (pk, client_option_label(client)) for pk, client in self.clients.items()
        ]
        self.fields["method"].choices = [("", "選んでください")] + grouped_leaf_choices(choices.methods)
        self.fields["activity_types"].choices = [
            (pk, label) for _, items in choices.activity_groups() for pk, label in items
        ]
        for name in ("report_summary", "follow_up_action"):
            self.fields[name].error_messages["max_length"] = (
                "%(limit_value)d文字以内にしてください（いま%(show_value)d文字）。"
            )
        with_long_selects(self)

    @staticmethod
    def initial_for(log: ContactLog, follow_up=None) -> dict:
        """The log's values, and those of its follow-up (a FollowUp, or None) under 次の対応 and 対応期限."""
        return {
            "occurred_on": log.occurred_on,
            "started_at": log.started_at,
            "duration_minutes": log.duration_minutes,
            "client": str(log.client_id) if log.client_id else NO_CLIENT,
            "support_kind": log.support_kind,
            "method": str(log.method_id),
            "activity_types": [str(t.pk) for t in log.activity_types.all()],
            "report_summary": log.report_summary,
            "include_in_report": log.include_in_report,
            "confidential_notes": log.confidential_notes,
            "follow_up_action": follow_up.action if follow_up else "",
            "follow_up_due_on": follow_up.due_on if follow_up else None,
            "version": log.version,
            "follow_up_version": follow_up.version if follow_up else None,
        }

    def clean_client(self) -> Client | None:
        value = self.cleaned_data["client"]
        typed = (self.data.get(self.add_prefix("client_name")) or "").strip()[:100]
        if typed:  # typed without JavaScript: it wins over the select
            return resolve_typed_client(self.office, typed)
        if not value:
            raise ValidationError(f"相談対象者を選ぶか、「{NO_CLIENT_LABEL}」を選んでください。", code="required")
        return None if value == NO_CLIENT else self.clients[value]

    def clean_method(self) -> ContactMethod:
        return self.choices.method_by_id[self.cleaned_data["method"]]

    def clean_activity_types(self) -> list[ActivityType]:
        return [self.choices.activity_type_by_id[pk] for pk in self.cleaned_data["activity_types"]]

    def clean(self):
        data = super().clean()
        if data.get("include_in_report") and not data.get("report_summary", "").strip():
            self.add_error("report_summary", "報告書に載せる場合は要約を入力してください。")
        if data.get("follow_up_due_on") and not data.get("follow_up_action", "").strip():
            self.add_error("follow_up_action", "対応期限を入れる場合は次の対応を入力してください。")
        if data.get("follow_up_due_on") and data.get("occurred_on") and data["follow_up_due_on"] < data["occurred_on"]:
            self.add_error("follow_up_due_on", "対応期限は記録の日付より後の日にしてください。")
        return data

    def follow_up_fields(self) -> dict:
        """次の対応 and 対応期限 as coordination.followups.services.log_follow_up_save takes them."""
        return {
            "action": self.cleaned_data["follow_up_action"],
            "due_on": self.cleaned_data["follow_up_due_on"],
            "expected_version": self.cleaned_data.get("follow_up_version"),
        }

    def log_fields(self) -> dict:
        """The cleaned values as the log services take them (the follow-up's are in follow_up_fields)."""
        names = [
            "occurred_on",
            "started_at",
            "duration_minutes",
            "client",
            "support_kind",
            "method",
            "activity_types",
            "report_summary",
            "include_in_report",
            "confidential_notes",
        ]
        return {name: self.cleaned_data[name] for name in names}


class CounterpartForm(forms.Form):
    """One counterpart row: a category, and a directory provider (picked) or an organization typed in."""

    category = forms.ChoiceField(label="区分", required=False)
    provider = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organization = forms.CharField(
        label="機関名",
        required=False,
        max_length=200,
        help_text="ディレクトリから選ぶか、名称を入力（家族は空欄、個人の氏名は書かない）",
    )

    def __init__(self, *args, choices: LogChoices, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["category"].choices = [("", "選んでください")] + grouped_leaf_choices(choices.categories)
        with_long_selects(self)


COUNTERPART_PREFIX = "counterparts"


class BaseCounterpartFormSet(forms.BaseFormSet):
    def __init__(self, *args, choices: LogChoices, **kwargs):
        self.choices = choices
        kwargs.setdefault("prefix", COUNTERPART_PREFIX)
        super().__init__(*args, form_kwargs={"choices": choices}, **kwargs)

    def clean(self):
        """Resolves providers (one query) and collects the rows as CounterpartEntry values."""
        self.entries: list[CounterpartEntry] = []
        if any(self.errors):
            return
        rows = [form.cleaned_data for form in self.forms if form.cleaned_data and self._filled(form.cleaned_data)]
        provider_ids = {row["provider"] for row in rows if row.get("provider")}
        typed_names = {
            row["organization"].strip() for row in rows if not row.get("provider") and row.get("organization")
        }
        providers = Provider.objects.select_related("category").filter(
            pk__in=provider_ids
        ) | Provider.objects.select_related("category").active().filter(name__in=typed_names)
        by_id = {p.pk: p for p in providers}
        # Without JavaScript a provider is typed, not picked: an exact name from the directory links it.
        by_name = {p.name: p for p in by_id.values() if p.is_active}
        errors = []
        for number, row in enumerate(rows, start=1):
            provider = by_id.get(row.get("provider")) or by_name.get(row.get("organization", "").strip())
            if row.get("provider") and row["provider"] not in by_id:
                errors.append(f"相手先{number}：選んだ機関・事業所が見つかりません。もう一度選んでください。")
                continue
            category = self.choices.category_by_id.get(row.get("category") or "")
            if category is None and provider is not None:
                category = self.choices.category_by_id.get(str(provider.category.counterpart_category_id))
            if category is None:
                errors.append(f"相手先{number}：区分を選んでください。")
                continue
            organization = "" if provider else row.get("organization", "").strip()
            self.entries.append(CounterpartEntry(category=category, provider=provider, organization_name=organization))
        if errors:
            raise ValidationError(errors)
        if not self.entries:
            raise ValidationError("相談者・相手先を1件以上入力してください（家族なら区分だけで構いません）。")

    @staticmethod
    def _filled(row: dict) -> bool:
        return bool(row.get("category") or row.get("provider") or (row.get("organization") or "").strip())

    @staticmethod
    def initial_for(log: ContactLog) -> list[dict]:
        return [
            {"category": str(c.category_id), "provider": c.provider_id, "organization": c.organization_label}
            for c in log.counterparts.all()
        ]


CounterpartFormSet = forms.formset_factory(CounterpartForm, formset=BaseCounterpartFormSet, extra=0)
