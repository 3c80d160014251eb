"""Forms of coordination's pages."""
import re
import unicodedata
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.kana import fold_for_storage
from directory.models import CounterpartCategory, District, Provider
from tabular.dates import FORMATS_HINT, parse_date, refuse_future

from .age_bands import AgeBand
from .event_kinds import PARTICIPANT_HELP, PARTICIPANT_NOTE_HELP, KindLayout
from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from .models import ActivityType, Client, ContactLog, ContactMethod, Event, EventScope, Guardian
from .services import CounterpartEntry, GuardianEntry


class JapaneseDateField(forms.CharField):
    """A date typed as `2025/4/1`, `2025-04-01`, `R7.4.1` or `令和7年4月1日` (full-width too)."""

    default_error_messages = {"required": "日付を入力してください。"}

    def __init__(self, *, not_future: bool = False, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", f"例：{FORMATS_HINT}")
        super().__init__(**kwargs)
        self.not_future = not_future

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Plain text: `R7.4.1` and `令和` need letters, which a numeric keyboard lacks.
        attrs.update({"inputmode": "text", "autocomplete": "off", "spellcheck": "false", "data-date-input": ""})
        return attrs

    def prepare_value(self, value):
        if isinstance(value, date):
            return f"{value.year}/{value.month}/{value.day}"
        return value

    def to_python(self, value) -> date | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        self.run_validators(text)
        return parse_date(text)

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if value is not None and self.not_future:
            refuse_future(value, timezone.localdate())

    def run_validators(self, value):
        # The length validators apply to the typed text, not to the date it becomes.
        if isinstance(value, str):
            super().run_validators(value)

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial if isinstance(initial, date) else self.to_python(initial))
        except ValidationError:
            return True


# --- contact logs ------------------------------------------------------------------------------

NO_CLIENT = "none"
NO_CLIENT_LABEL = "対象者なし（地域づくり等）"


def client_option_label(client: Client) -> str:
    return f"{client.name}（{client.name_kana}）" if client.name_kana else client.name


def _grouped_leaf_choices(leaf_paths) -> list:
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
        label="開始時刻", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "時刻は 10:30 のように入力してください。"},
    )
    duration_minutes = forms.IntegerField(
        label="所要時間（分）", required=False, min_value=1, max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "所要時間は分の数字で入力してください。",
            "min_value": "所要時間は1分以上にしてください。",
            "max_value": "所要時間は1440分（24時間）以内にしてください。",
        },
    )
    client = forms.ChoiceField(
        label="相談対象者",
        error_messages={
            "required": f"相談対象者を選ぶか、「{NO_CLIENT_LABEL}」を選んでください。",
            "invalid_choice": "この事業所の相談対象者から選んでください。",
        },
    )
    method = forms.ChoiceField(
        label="方法",
        error_messages={"required": "方法を選んでください。", "invalid_choice": "方法は一覧から選んでください。"},
    )
    activity_types = forms.MultipleChoiceField(
        label="種別",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "種別を1つ以上選んでください。", "invalid_choice": "種別は一覧から選んでください。"},
    )
    report_summary = forms.CharField(
        label="報告書用の要約（一行）", required=False, max_length=200,
        help_text="氏名・住所など個人が分かることは書かないでください。例：退院に向けて訪問看護ステーションと調整",
    )
    include_in_report = forms.BooleanField(label="報告書に載せる", required=False)
    confidential_notes = forms.CharField(
        label="記録（要配慮・報告書には出ません）", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up_action = forms.CharField(label="次の対応", required=False, max_length=200)
    follow_up_due_on = JapaneseDateField(label="対応期限", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, office, choices: LogChoices, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.choices = choices
        self.clients = {str(c.pk): c for c in Client.objects.for_office(office).order_by("name_kana", "name", "pk")}
        self.fields["client"].choices = [("", "選んでください"), (NO_CLIENT, NO_CLIENT_LABEL)] + [
            (pk, client_option_label(client)) for pk, client in self.clients.items()
        ]
        self.fields["method"].choices = [("", "選んでください")] + _grouped_leaf_choices(choices.methods)
        self.fields["activity_types"].choices = [(pk, label) for _, items in choices.activity_groups() for pk, label in items]
        for name in ("report_summary", "follow_up_action"):
            self.fields[name].error_messages["max_length"] = "%(limit_value)d文字以内にしてください（いま%(show_value)d文字）。"

    @staticmethod
    def initial_for(log: ContactLog) -> dict:
        return {
            "occurred_on": log.occurred_on, "started_at": log.started_at, "duration_minutes": log.duration_minutes,
            "client": str(log.client_id) if log.client_id else NO_CLIENT, "method": str(log.method_id),
            "activity_types": [str(t.pk) for t in log.activity_types.all()],
            "report_summary": log.report_summary, "include_in_report": log.include_in_report,
            "confidential_notes": log.confidential_notes, "follow_up_action": log.follow_up_action,
            "follow_up_due_on": log.follow_up_due_on, "version": log.version,
        }

    def clean_client(self) -> Client | None:
        value = self.cleaned_data["client"]
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

    def log_fields(self) -> dict:
        """The cleaned values as the services take them."""
        names = [
            "occurred_on", "started_at", "duration_minutes", "client", "method", "activity_types", "report_summary",
            "include_in_report", "confidential_notes", "follow_up_action", "follow_up_due_on",
        ]
        return {name: self.cleaned_data[name] for name in names}


class CounterpartForm(forms.Form):
    """One counterpart row: a category, and a directory provider (picked) or an organization typed in."""

    category = forms.ChoiceField(label="区分", required=False)
    provider = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organization = forms.CharField(
        label="機関名", required=False, max_length=200,
        help_text="ディレクトリから選ぶか、名称を入力（家族は空欄、個人の氏名は書かない）",
    )

    def __init__(self, *args, choices: LogChoices, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["category"].choices = [("", "選んでください")] + _grouped_leaf_choices(choices.categories)


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
        typed_names = {row["organization"].strip() for row in rows if not row.get("provider") and row.get("organization")}
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


# --- clients -----------------------------------------------------------------------------------

_KATAKANA = re.compile(r"[\u30A1-\u30FE ]+")


class ClientForm(forms.ModelForm):
    """A client's facts. The view shows likely duplicates and saves only once they are confirmed."""

    IDENTITY_FIELDS = ("name_kana", "birth_date")

    birth_date = JapaneseDateField(label="生年月日", required=False, not_future=True)
    consent_obtained_on = JapaneseDateField(label="情報共有の同意日", required=False, not_future=True)
    confirm_not_duplicate = forms.BooleanField(label="重複ではないことを確認しました", required=False)

    class Meta:
        model = Client
        fields = [
            "name", "name_kana", "birth_date", "status", "assigned_coordinator", "district",
            "municipality_outside", "has_medical_care", "procedures", "age_band_override",
            "age_band_override_reason", "consent_obtained_on", "consent_scope", "consent_taken_by", "notes",
        ]
        widgets = {
            "procedures": forms.CheckboxSelectMultiple,
            "consent_scope": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "name": {"required": "氏名を入力してください。"},
            "name_kana": {"required": "フリガナを入力してください。"},
        }
        help_texts = {
            "name_kana": "ひらがなでも入力できます（カタカナで保存します）",
            "district": "区外に住んでいる場合は空欄にして、下の欄に区市町村を入力します",
            "consent_scope": "例：区の障害福祉課・保健センター、主治医、訪問看護ステーションとの情報共有",
        }

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(office=office, is_active=True).order_by("last_name", "first_name", "username")
        self.fields["name_kana"].required = True
        self.fields["district"].queryset = District.objects.filter(officedistrict__office=office).order_by(
            "officedistrict__position"
        )
        self.fields["district"].empty_label = "（区外・不明）"
        self.fields["district"].label_from_instance = lambda district: district.name
        self.fields["assigned_coordinator"].queryset = staff.filter(groups__name=ROLE_GROUPS[Role.COORDINATOR])
        self.fields["consent_taken_by"].queryset = staff.filter(
            groups__name__in=[ROLE_GROUPS[Role.COORDINATOR], ROLE_GROUPS[Role.SUPERVISOR]]
        ).distinct()
        self.fields["age_band_override"].choices = [("", "上書きしない（生年月日から決まる区分）"), *AgeBand.choices]
        self.fields["assigned_coordinator"].empty_label = "（未定）"
        self.fields["consent_taken_by"].empty_label = "選んでください"

    def clean_name_kana(self):
        kana = fold_for_storage(self.cleaned_data["name_kana"])
        if kana and not _KATAKANA.fullmatch(kana):
            raise ValidationError("フリガナはカタカナかひらがなで入力してください。")
        return kana

    def has_changed_identity(self) -> bool:
        """Whether what the duplicate check compares (フリガナ, birth date) was changed."""
        return any(field in self.changed_data for field in self.IDENTITY_FIELDS)

    def client_fields(self) -> dict:
        """The cleaned fields as services.client_create / client_update take them."""
        data = {field: self.cleaned_data[field] for field in self.Meta.fields}
        data["procedures"] = list(data["procedures"])
        return data


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["name", "relationship", "phone", "email", "is_primary"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "email": forms.TextInput(attrs={"inputmode": "email", "autocomplete": "off"}),
        }
        help_texts = {"relationship": "母、父、祖母など"}
        error_messages = {
            "name": {"required": "氏名を入力してください。"},
            "relationship": {"required": "続柄を入力してください。"},
            "email": {"invalid": "メールアドレスを正しく入力してください。"},
        }


class BaseGuardianFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        entries = self.guardian_entries()
        if sum(1 for entry in entries if entry.is_primary) > 1:
            raise ValidationError("主な連絡先は1人だけにしてください。")

    def guardian_entries(self) -> list[GuardianEntry]:
        """The filled-in, not deleted guardians, as services take them."""
        entries = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            entries.append(
                GuardianEntry(
                    pk=form.instance.pk, name=data["name"], relationship=data["relationship"],
                    phone=data["phone"], email=data["email"], is_primary=data["is_primary"],
                )
            )
        return entries


GuardianFormSet = forms.inlineformset_factory(
    Client, Guardian, form=GuardianForm, formset=BaseGuardianFormSet, extra=2, can_delete=True
)


# --- events (report sections 6–8) ---------------------------------------------------------------


class _TypedTimeField(forms.TimeField):
    """A time typed as `14:00`, `1400`, `１４：００` or `14時30分`: a text box, the same in every browser."""

    input_formats = ["%H:%M", "%H%M", "%H時%M分", "%H時"]

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)


class _FoldedIntegerField(forms.IntegerField):
    """A count typed as `30`, `３０` or `30名`."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().removesuffix("名")
        return super().to_python(value)


class EventForm(forms.Form):
    """An event's fields for its kind (event_kinds.LAYOUTS), and whether it also counts as a contact log."""

    role = forms.CharField(max_length=50, required=False)
    scope = forms.ChoiceField(choices=EventScope.choices, required=False, widget=forms.RadioSelect)
    name = forms.CharField(max_length=200)
    held_on = JapaneseDateField()
    started_at = _TypedTimeField(
        required=False, help_text="例：14:00（開所時間外の活動の集計に使います）",
        widget=forms.TimeInput(
            format="%H:%M", attrs={"inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={"invalid": "開始時刻は 14:00 のように入力してください。"},
    )
    ends_on = JapaneseDateField(required=False)
    method_venue = forms.CharField(max_length=200, required=False)
    topic = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    audience = forms.CharField(max_length=300, required=False)
    participant_count = _FoldedIntegerField(
        min_value=0, required=False, help_text=PARTICIPANT_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": "参加者数は数字で入力してください（例：30）。", "min_value": "参加者数は0以上にしてください。",
        },
    )
    participant_note = forms.CharField(max_length=100, required=False, help_text=PARTICIPANT_NOTE_HELP)
    count_as_log = forms.BooleanField(required=False)
    log_method = forms.ChoiceField(label="方法")
    log_activity_type = forms.ChoiceField(label="種別")

    LOG_FIELDS = ("count_as_log", "log_method", "log_activity_type")
    HELP = {"method_venue": "例：対面・北区役所、ZOOM"}
    # Fields shown side by side on a wide screen.
    ROWS = (("held_on", "started_at", "ends_on"), ("participant_count", "participant_note"))

    def __init__(self, *args, layout: KindLayout, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.layout = layout
        keep = set(layout.fields) | (set(self.LOG_FIELDS) if layout.can_count_as_log else set())
        for name in [name for name in self.fields if name not in keep]:
            del self.fields[name]
        for name in layout.fields:
            field = self.fields[name]
            field.label = layout.label(name)
            field.required = name in layout.required
            field.help_text = field.help_text or self.HELP.get(name, "")
            verb = "選んで" if name == "scope" else "入力して"
            field.error_messages["required"] = f"{field.label}を{verb}ください。"
            field.error_messages["max_length"] = f"{field.label}は%(limit_value)d文字以内にしてください。"
        if "role" in self.fields:
            self.fields["role"].widget.attrs.update({"list": "role-suggestions", "autocomplete": "off"})
            self.fields["role"].help_text = "候補から選ぶか、自由に入力"
        if "scope" in self.fields:
            self.fields["scope"].error_messages["invalid_choice"] = "区内か区外を選んでください。"
        if layout.can_count_as_log:
            self._log_choices()
        self.fields[layout.fields[0]].widget.attrs["autofocus"] = True

    def full_clean(self):
        super().full_clean()
        # After a refused save the cursor waits in the first field to correct, not at the top.
        if self.errors:
            self.fields[self.layout.fields[0]].widget.attrs.pop("autofocus", None)
            first = next((name for name in self.fields if name in self.errors), None)
            if first is not None:
                self.fields[first].widget.attrs["autofocus"] = True

    def _log_choices(self):
        """The linked log's method and type: leaves of the §4 and §5 trees (two queries)."""
        self.fields["count_as_log"].label = self.layout.count_as_log_label
        for name, model in (("log_method", ContactMethod), ("log_activity_type", ActivityType)):
            leaves = model.objects.leaf_paths()
            field = self.fields[name]
            # Whole paths even inside a group: a closed list then says 訪問 ▸ その他, not only その他.
            field.choices = [
                (group, [(pk, f"{group} ▸ {label}") for pk, label in items]) if isinstance(items, list) else (group, items)
                for group, items in _grouped_leaf_choices(leaves)
            ]
            field.nodes = {str(node.pk): node for node, _ in leaves}
            # Needed only when the box is ticked (see clean); always sent, as the lists start chosen.
            field.required = False
            field.error_messages["invalid_choice"] = f"{field.label}は一覧から選んでください。"
            # Initial values name the leaves by code, which stays the same in every database.
            code = self.initial.get(name)
            self.initial[name] = next((pk for pk, node in field.nodes.items() if node.code == code), None)

    @staticmethod
    def initial_for(layout: KindLayout, event: Event | None = None, *, today: date) -> dict:
        """The form's starting values: the event's (and its log's), or a new event's defaults."""
        initial = {"log_method": layout.log_method, "log_activity_type": layout.log_activity_type}
        if event is None:
            initial["held_on"] = today
            if layout.role_suggestions:
                initial["role"] = layout.role_suggestions[0]
            return initial
        initial.update({name: getattr(event, name) for name in layout.fields})
        if event.contact_log_id:
            log = event.contact_log
            types = sorted(log.activity_types.all(), key=lambda node: node.position)
            initial.update(count_as_log=True, log_method=log.method.code)
            if types:
                initial["log_activity_type"] = types[0].code
        return initial

    def field_rows(self) -> list[list[forms.BoundField]]:
        """The kind's fields in order, those of one ROWS entry together."""
        rows, placed = [], set()
        for name in self.layout.fields:
            if name in placed:
                continue
            group = next((row for row in self.ROWS if name in row), (name,))
            names = [other for other in group if other in self.layout.fields]
            placed.update(names)
            rows.append([self[other] for other in names])
        return rows

    def clean(self):
        data = super().clean()
        held_on, ends_on = data.get("held_on"), data.get("ends_on")
        if held_on and ends_on and ends_on < held_on:
            self.add_error(
                "ends_on",
                f"{self.layout.label('ends_on')}は{self.layout.label('held_on')}と同じ日か、それより後にしてください。",
            )
        if data.get("count_as_log"):
            for name in ("log_method", "log_activity_type"):
                if name not in self.errors and data.get(name) is None:
                    self.add_error(name, f"記録に数えるときは{self.fields[name].label}を選んでください。")
        return data

    def clean_log_method(self) -> ContactMethod | None:
        return self.fields["log_method"].nodes.get(self.cleaned_data["log_method"])

    def clean_log_activity_type(self) -> ActivityType | None:
        return self.fields["log_activity_type"].nodes.get(self.cleaned_data["log_activity_type"])

    def event_fields(self) -> dict:
        """The event's cleaned fields as keyword arguments of services.event_create / event_update."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.layout.fields}
        for name in ("role", "scope", "method_venue", "topic", "audience", "participant_note"):
            fields[name] = (fields.get(name) or "").strip()
        return fields


# --- two-factor authentication -----------------------------------------------------------------
