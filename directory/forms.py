"""The provider form, its acceptance matrix (one row per procedure) and its opening-hour rows."""

from django import forms

from . import postal
from .links import PUBLIC_FIELDS
from .models import PROVIDER_FIELDS, Acceptance, District, MedicalCareProcedure, Provider, ProviderCategory
from .schedules import WEEKDAYS, ScheduleEntry, parse_opening_hours, parse_time, split_byday, time_label
from .services import AcceptanceEntry


class ProviderFieldsMixin:
    """What the office's provider form and the provider's own link form share about the same fields."""

    def _set_up_shared_fields(self) -> None:
        self.fields["url"].error_messages["invalid"] = "URL の形が正しくありません（例：https://example.jp/）。"
        for name in ("ages_from", "ages_to"):
            self.fields[name].widget.attrs.update(min=0, max=120)

    def clean_postal_code(self) -> str:
        return postal.normalize(self.cleaned_data.get("postal_code") or "")

    def _check_age_range(self, data: dict) -> None:
        low, high = data.get("ages_from"), data.get("ages_to")
        if low is not None and high is not None and low > high:
            self.add_error("ages_to", "対象年齢は「から」を「まで」以下にしてください。")


class ProviderForm(ProviderFieldsMixin, forms.ModelForm):
    """Every field of an entry a coordinator keeps, and "checked today"."""

    url = forms.URLField(label="ウェブサイト", required=False, assume_scheme="https")
    vacancy_noted_on = forms.DateField(
        label="空き状況の確認日",
        required=False,
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日付は 2025-04-01 の形で入力してください。"},
    )
    verified = forms.BooleanField(
        label="この内容を今日確認した（最終確認日を今日にする）",
        required=False,
    )
    # The version the editor read (optimistic locking); the service, not the form, saves versions.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Provider
        fields = list(PROVIDER_FIELDS)
        widgets = {
            "services": forms.Textarea(attrs={"rows": 3}),
            "public_note": forms.Textarea(attrs={"rows": 3}),
            "internal_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "name_kana": "カタカナで。ひらがな・半角カナでも検索できます",
            "postal_code": "例：114-0002（入力すると住所の都道府県・区市町村・町域が入ります）",
            "municipality": "地区を選んだときは空欄のままで構いません",
            "opening_hours": "文章のまま公開されます（祝日・年末年始なども）。例：月～金 9:00～18:00（土日祝休み）",
            "ages_from": "空欄は下限なし",
            "ages_to": "空欄は上限なし",
            "vacancy_note": "例：月・水に空きあり",
            "internal_note": "区職員には表示されません",
            "is_active": "廃止・休止したら外してください（一覧に出なくなります）",
        }
        error_messages = {
            "name": {"required": "名称を入力してください。"},
            "category": {"required": "種別を選んでください。", "invalid_choice": "種別は一覧から選んでください。"},
            "district": {"invalid_choice": "地区は一覧から選んでください。"},
            "email": {"invalid": "メールアドレスの形が正しくありません。"},
            "ages_from": {"invalid": "年齢は数字で入力してください。"},
            "ages_to": {"invalid": "年齢は数字で入力してください。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("version", self.instance.version)
        self.fields["category"].queryset = ProviderCategory.objects.order_by("position")
        self.fields["district"].queryset = District.objects.order_by("municipality", "code")
        self.fields["category"].empty_label = "選んでください"
        self.fields["district"].empty_label = "区外・地区なし"
        self._set_up_shared_fields()

    def clean(self):
        data = super().clean()
        self._check_age_range(data)
        if data.get("vacancy_noted_on") and not data.get("vacancy_note"):
            self.add_error("vacancy_note", "空き状況の確認日を入れたときは、空き状況も書いてください。")
        return data

    def provider_fields(self) -> dict:
        """The cleaned fields as the services take them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AcceptanceForm(forms.Form):
    """One procedure's answer: 可 / 条件付き / 不可 / 未確認 and a note."""

    procedure = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="受け入れ",
        choices=Acceptance.choices,
        error_messages={"invalid_choice": "受け入れは一覧から選んでください。"},
    )
    note = forms.CharField(
        label="条件・備考",
        required=False,
        max_length=200,
        error_messages={"max_length": "条件・備考は200文字以内で書いてください。"},
    )


class BaseAcceptanceFormSet(forms.BaseFormSet):
    """The 14 rows in the procedures' order; each form knows its procedure (`form.procedure_object`)."""

    def __init__(self, *args, procedures: list[MedicalCareProcedure], **kwargs):
        self.procedures = procedures
        self.by_code = {procedure.code: procedure for procedure in procedures}
        super().__init__(*args, **kwargs)
        for form, procedure in zip(self.forms, procedures):
            form.procedure_object = procedure

    def clean(self):
        # A row whose hidden procedure came back blank, spaces or missing has none in cleaned_data:
        # it counts as a changed list too (the user cannot fix a hidden field, only reopen the page).
        codes = [form.cleaned_data.get("procedure") or "" for form in self.forms if form.cleaned_data]
        if sorted(codes) != sorted(self.by_code):
            raise forms.ValidationError("医療的ケアの一覧が変わりました。画面を開き直してから入力してください。")

    def entries(self) -> list[AcceptanceEntry]:
        return [
            AcceptanceEntry(
                procedure=self.by_code[form.cleaned_data["procedure"]],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
            for form in self.forms
        ]


AcceptanceFormSet = forms.formset_factory(
    AcceptanceForm, formset=BaseAcceptanceFormSet, extra=0, min_num=0, max_num=50, absolute_max=50
)


def acceptance_formset(data, *, procedures: list[MedicalCareProcedure], matrix) -> BaseAcceptanceFormSet:
    """The matrix as a formset: one row per procedure, filled from the provider's answers."""
    answers = {row.procedure.pk: row for row in matrix}
    initial = [
        {
            "procedure": procedure.code,
            "status": answers[procedure.pk].status if procedure.pk in answers else Acceptance.UNKNOWN,
            "note": answers[procedure.pk].note if procedure.pk in answers else "",
        }
        for procedure in procedures
    ]
    return AcceptanceFormSet(data, initial=initial, procedures=procedures, prefix="acceptances")


# Empty rows under the saved ones, for hours to add; the form takes up to SCHEDULE_ROWS_MAX rows.
SCHEDULE_EXTRA_ROWS = 3
SCHEDULE_ROWS_MAX = 14
TIME_HELP = "9:00 の形で（0900、９：００ も可）"


class ScheduleForm(forms.Form):
    """One row of opening hours: weekday boxes 月…日 and the opening and closing times; an empty row is ignored."""

    weekdays = forms.MultipleChoiceField(
        label="曜日",
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "曜日は月～日から選んでください。"},
    )
    opens_at = forms.CharField(
        label="開始",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"size": 6, "inputmode": "numeric", "autocomplete": "off"}),
    )
    closes_at = forms.CharField(
        label="終了",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"size": 6, "inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        for name in ("opens_at", "closes_at"):
            self.fields[name].error_messages["max_length"] = f"{self.fields[name].label}は{TIME_HELP}入力してください。"

    def _time(self, name: str):
        text = self.cleaned_data.get(name) or ""
        if not text.strip():
            return None
        value = parse_time(text)
        if value is None:
            self.add_error(name, f"{self.fields[name].label}の時刻は{TIME_HELP}入力してください。")
        return value

    def clean(self):
        data = super().clean()
        weekdays = data.get("weekdays") or []
        texts = [data.get(name) or "" for name in ("opens_at", "closes_at")]
        data["empty"] = not weekdays and not any(text.strip() for text in texts) and not self.errors
        if data["empty"]:
            return data
        opens, closes = self._time("opens_at"), self._time("closes_at")
        if not weekdays and "weekdays" not in self.errors:
            self.add_error("weekdays", "曜日を選んでください。")
        if not texts[0].strip():
            self.add_error("opens_at", "開始の時刻を入力してください。")
        if not texts[1].strip():
            self.add_error("closes_at", "終了の時刻を入力してください。")
        if opens is not None and closes is not None and closes <= opens:
            self.add_error("closes_at", "終了の時刻は開始より後にしてください。")
        data["entry"] = ScheduleEntry(tuple(weekdays), opens, closes) if not self.errors and opens and closes else None
        return data


class BaseScheduleFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # Every row is read, whatever the management form counts as initial: an "extra" row that
        # matches its initial values is still a row typed (the form's clean tells an empty one).
        return super()._construct_form(i, empty_permitted=False, **kwargs)

    def entries(self) -> list[ScheduleEntry]:
        """The filled rows in the order typed (empty rows left out)."""
        return [
            form.cleaned_data["entry"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("empty") and form.cleaned_data.get("entry")
        ]


ScheduleFormSet = forms.formset_factory(
    ScheduleForm,
    formset=BaseScheduleFormSet,
    extra=SCHEDULE_EXTRA_ROWS,
    max_num=SCHEDULE_ROWS_MAX,
    absolute_max=SCHEDULE_ROWS_MAX,
)


def _schedule_initial(weekdays, opens_at, closes_at) -> dict:
    return {"weekdays": list(weekdays), "opens_at": time_label(opens_at), "closes_at": time_label(closes_at)}


def schedule_formset(data, *, provider=None, rows=None) -> tuple[BaseScheduleFormSet, bool]:
    """The opening-hour rows as a formset, and whether they were read from the free text.

    A provider without rows but with a free text the parser understands gets those rows filled in,
    to be checked and saved; `rows` (saved ProviderSchedule rows) defaults to the provider's.
    """
    if rows is None:
        rows = list(provider.schedules.order_by("position")) if provider is not None and provider.pk else []
    initial = [_schedule_initial(split_byday(row.byday), row.opens_at, row.closes_at) for row in rows]
    from_text = False
    if not initial and provider is not None and provider.opening_hours:
        parsed = parse_opening_hours(provider.opening_hours)
        initial = [_schedule_initial(entry.weekdays, entry.opens_at, entry.closes_at) for entry in parsed]
        from_text = bool(parsed)
    return ScheduleFormSet(data, initial=initial, prefix="schedules"), from_text


class ProviderSelfForm(ProviderFieldsMixin, forms.ModelForm):
    """What a provider corrects of its own entry through its one-time link: its public fields only."""

    url = forms.URLField(label="ウェブサイト", required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = list(PUBLIC_FIELDS)
        widgets = {
            "services": forms.Textarea(attrs={"rows": 3}),
            "public_note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"public_note": "備考（一覧に掲載されます）"}
        help_texts = {
            "name_kana": "カタカナで",
            "postal_code": "例：114-0002",
            "opening_hours": "例：月～金 9:00～18:00（土日祝休み）",
            "ages_from": "空欄は下限なし",
            "ages_to": "空欄は上限なし",
            "vacancy_note": "例：月・水に空きあり",
        }
        error_messages = ProviderForm.Meta.error_messages

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self._set_up_shared_fields()

    def clean(self):
        data = super().clean()
        self._check_age_range(data)
        return data

    def proposed(self) -> dict:
        """The cleaned fields as a proposal holds them (strings stripped)."""
        return {
            name: value.strip() if isinstance(value, str) else value
            for name, value in ((name, self.cleaned_data[name]) for name in PUBLIC_FIELDS)
        }
