"""The event form, one set of fields per kind of event."""

import unicodedata
from datetime import date

from django import forms

from coordination.events.kinds import PARTICIPANT_HELP, PARTICIPANT_NOTE_HELP, KindLayout
from coordination.events.models import Event, EventScope
from coordination.forms import JapaneseDateField, with_long_selects
from coordination.logs.forms import grouped_leaf_choices
from coordination.logs.models import ActivityType, ContactMethod


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
        required=False,
        help_text="例：14:00（開所時間外の活動の集計に使います）",
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": "開始時刻は 14:00 のように入力してください。"},
    )
    ends_on = JapaneseDateField(required=False)
    method_venue = forms.CharField(max_length=200, required=False)
    topic = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    audience = forms.CharField(max_length=300, required=False)
    participant_count = _FoldedIntegerField(
        min_value=0,
        required=False,
        help_text=PARTICIPANT_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": "参加者数は数字で入力してください（例：30）。",
            "min_value": "参加者数は0以上にしてください。",
        },
    )
    participant_note = forms.CharField(max_length=100, required=False, help_text=PARTICIPANT_NOTE_HELP)
    count_as_log = forms.BooleanField(required=False)
    log_method = forms.ChoiceField(label="方法")
    log_activity_type = forms.ChoiceField(label="種別")
    # The versions the editor read of the event and of its contact log (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    log_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    LOG_FIELDS = ("count_as_log", "log_method", "log_activity_type")
    VERSION_FIELDS = ("version", "log_version")
    HELP = {"method_venue": "例：対面・北区役所、ZOOM"}
    # Fields shown side by side on a wide screen.
    ROWS = (("held_on", "started_at", "ends_on"), ("participant_count", "participant_note"))

    def __init__(self, *args, layout: KindLayout, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.layout = layout
        keep = {*layout.fields, *self.VERSION_FIELDS, *(self.LOG_FIELDS if layout.can_count_as_log else ())}
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
        with_long_selects(self)

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
                (group, [(pk, f"{group} ▸ {label}") for pk, label in items])
                if isinstance(items, list)
                else (group, items)
                for group, items in grouped_leaf_choices(leaves)
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
        initial["version"] = event.version
        if event.contact_log_id:
            log = event.contact_log
            types = sorted(log.activity_types.all(), key=lambda node: node.position)
            initial.update(count_as_log=True, log_method=log.method.code, log_version=log.version)
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
