"""The need's form (new or edit read at `version`), a dated note with a status, and adding a log to a need."""

from django import forms
from django.utils import timezone

from accounts.models import Office
from coordination.clients.age_bands import AgeBand
from coordination.forms import JapaneseDateField
from coordination.needs.models import Need, NeedCategory, NeedStatus
from coordination.needs.selectors import meetings_of_office, needs_for_page
from directory.models import District
from directory.selectors import office_districts

RELOAD = {"required": "画面を開き直してください。"}


class NeedForm(forms.Form):
    title = forms.CharField(label="件名", max_length=200)
    category = forms.ModelChoiceField(
        queryset=NeedCategory.objects.order_by("position"),
        label="分類",
        error_messages={"invalid_choice": "分類は一覧から選んでください。", "required": "分類を選んでください。"},
    )
    description = forms.CharField(
        label="内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="協議会への報告に使います。相談対象者の氏名など、個人が分かることは書かないでください。",
    )
    life_stages = forms.MultipleChoiceField(
        choices=AgeBand.choices,
        label="関係するライフステージ",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "ライフステージは一覧から選んでください。"},
    )
    districts = forms.ModelMultipleChoiceField(
        queryset=District.objects.none(),
        label="関係する地区",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "地区は一覧から選んでください。"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    SERVICE_FIELDS = ("title", "category", "description", "life_stages", "districts")

    def __init__(self, *args, office: Office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = "件名を入力してください。"
        self.fields["districts"].queryset = District.objects.filter(pk__in=[d.pk for d in office_districts(office)])

    @staticmethod
    def initial_for(need: Need) -> dict:
        return {
            "title": need.title,
            "category": need.category_id,
            "description": need.description,
            "life_stages": need.life_stages,
            "districts": list(need.districts.all()),
            "version": need.version,
        }

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class NeedMoveForm(forms.Form):
    """A dated note, with the status it leaves the need in (the same status: a note of progress)."""

    status = forms.ChoiceField(
        choices=NeedStatus.choices, label="状態", error_messages={"invalid_choice": "状態は一覧から選んでください。"}
    )
    on = JapaneseDateField(label="日付")
    text = forms.CharField(label="経過", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    raised_at = forms.ModelChoiceField(
        queryset=None,
        label="提起した会議（会議体へ提起のとき）",
        required=False,
        error_messages={"invalid_choice": "提起した会議は一覧から選んでください。"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=RELOAD)

    def __init__(self, *args, office: Office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.fields["raised_at"].queryset = meetings_of_office(office)


class AddToNeedForm(forms.Form):
    """A log found again: the need of the office it is added to."""

    need = forms.ModelChoiceField(
        queryset=None,
        label="追加するニーズ・課題",
        error_messages={
            "required": "追加するニーズ・課題を選んでください。",
            "invalid_choice": "ニーズ・課題は一覧から選んでください。",
        },
    )

    def __init__(self, *args, office: Office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs_for_page(office).order_by("category__position", "title")
