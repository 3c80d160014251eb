"""The referral form, the form of one move, and the supervisor's override."""

import unicodedata

from django import forms
from django.utils import timezone

from accounts.models import Office, User
from coordination.clients.forms import resolve_typed_client
from coordination.clients.models import Client
from coordination.forms import CANDIDATES_SHOWN, JapaneseDateField, chosen_pk, the_one_typed
from coordination.logs.forms import grouped_leaf_choices
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from coordination.referrals.models import Referral, SharedItem
from coordination.referrals.services import DEFAULT_ACTIVITY_TYPE_CODE, StepContact
from coordination.referrals.states import Move
from directory.models import MedicalCareProcedure, Provider, ProviderCategory
from directory.search import query_keys, romaji_key, search_key
from directory.selectors import provider_search


def provider_option_label(provider: Provider) -> str:
    """The kind beside the name: the kind decides the consent a referral needs."""
    return f"{provider.name}（{provider.category.name}）"


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return provider_option_label(obj)


def resolve_typed_provider(typed: str) -> Provider:
    """The one active provider of the directory a typed name or フリガナ names (the picker without JavaScript)."""
    found = list(provider_search(query=typed, limit=CANDIDATES_SHOWN + 1))
    keys = set(query_keys(typed))  # folded as the directory folds (kana, widths, romaji)
    exact = [p for p in found if keys & {search_key(p.name), search_key(p.name_kana), romaji_key(p.name_kana)}]
    return the_one_typed(
        found,
        exact,
        label=provider_option_label,
        nothing=f"「{typed}」に当てはまる機関はディレクトリにありません。"
        "ディレクトリにない機関は、下の「つなぎ先の名称」に入力してください。",
        several=f"「{typed}」に当てはまる機関が複数あります（{{names}}）。名称をもう少し詳しく入力してください。",
    )


class ReferralForm(forms.Form):
    """A referral's fields: who, to whom, why, and what is shared (the services check the rest)."""

    # Only the chosen client is an option (the page does not list the office's clients): the picker
    # searches client_lookup as the user types; without JavaScript client_name is resolved here.
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        label="相談対象者",
        required=False,
        error_messages={"invalid_choice": "この事業所の相談対象者から選んでください。"},
    )
    client_name = forms.CharField(label="または氏名・フリガナを入力", required=False, max_length=100)
    # The same for the provider: only the chosen one is an option, the picker searches provider_lookup
    # (the directory can hold tens of thousands); without JavaScript provider_name is resolved here.
    provider = ProviderChoiceField(
        queryset=Provider.objects.none(),
        label="つなぎ先（ディレクトリから選ぶ）",
        required=False,
        empty_label="（ディレクトリにない機関は下に名称を入力）",
        error_messages={"invalid_choice": "ディレクトリに載っている（休止中でない）機関から選んでください。"},
    )
    provider_name = forms.CharField(label="または機関名・フリガナを入力", required=False, max_length=100)
    organization_name = forms.CharField(
        label="つなぎ先の名称（ディレクトリにない場合）", max_length=200, required=False
    )
    organization_category = forms.ModelChoiceField(
        queryset=ProviderCategory.objects.order_by("position"),
        label="つなぎ先の種別（名称を入力した場合）",
        required=False,
        help_text="ディレクトリから選んだ場合は、その機関の種別になります。同意の確認はこの種別で行います。",
    )
    purpose = forms.CharField(label="目的", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    procedures = forms.ModelMultipleChoiceField(
        queryset=MedicalCareProcedure.objects.order_by("position"),
        label="関係する医療的ケア",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.CharField(label="関係するニーズ・困りごと", max_length=300, required=False)
    shared_items = forms.MultipleChoiceField(
        choices=SharedItem.choices,
        label="共有する情報",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="依頼（送付）した日の記録の内容で固定され、つなぎの画面に残ります。",
    )
    shared_note = forms.CharField(
        label="共有する情報の補足（要配慮）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    answer_due_on = JapaneseDateField(label="回答期限", required=False)
    coordinator = forms.ModelChoiceField(queryset=User.objects.none(), label="担当コーディネーター")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    SERVICE_FIELDS = (
        "client",
        "provider",
        "organization_name",
        "organization_category",
        "purpose",
        "procedures",
        "needs",
        "shared_items",
        "shared_note",
        "answer_due_on",
        "coordinator",
    )

    def __init__(self, *args, office: Office, editing: bool = False, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.office = office
        chosen = chosen_pk(self.data.get(self.add_prefix("client")) if self.is_bound else self.initial.get("client"))
        clients = Client.objects.for_office(office)
        self.fields["client"].queryset = clients.filter(pk=chosen) if chosen else clients.none()
        chosen = chosen_pk(
            self.data.get(self.add_prefix("provider")) if self.is_bound else self.initial.get("provider")
        )
        providers = Provider.objects.active().select_related("category")
        self.fields["provider"].queryset = providers.filter(pk=chosen) if chosen else providers.none()
        self.fields["coordinator"].queryset = User.objects.filter(office=office, is_active=True).order_by("pk")
        if editing:
            # A referral stays with its client; only what is sent and to whom may change while 準備中.
            del self.fields["client"]
            del self.fields["client_name"]

    @staticmethod
    def initial_for(referral: Referral) -> dict:
        return {
            "provider": referral.provider_id,
            "organization_name": referral.organization_name,
            "organization_category": referral.organization_category_id,
            "purpose": referral.purpose,
            "procedures": list(referral.procedures.all()),
            "needs": referral.needs,
            "shared_items": referral.shared_items,
            "shared_note": referral.shared_note,
            "answer_due_on": referral.answer_due_on,
            "coordinator": referral.coordinator_id,
            "version": referral.version,
        }

    def clean_client(self) -> Client:
        typed = (self.data.get(self.add_prefix("client_name")) or "").strip()[:100]
        if typed:  # typed without JavaScript: it wins over the select
            return resolve_typed_client(self.office, typed)
        if self.cleaned_data["client"] is None:
            raise forms.ValidationError("相談対象者を選んでください。", code="required")
        return self.cleaned_data["client"]

    def clean_provider(self) -> Provider | None:
        typed = (self.data.get(self.add_prefix("provider_name")) or "").strip()[:100]
        if typed:  # typed without JavaScript: it wins over the select
            return resolve_typed_provider(typed)
        return self.cleaned_data["provider"]

    def clean(self):
        data = super().clean()
        if data.get("provider") and (data.get("organization_name") or "").strip():
            self.add_error(
                "organization_name", "つなぎ先はディレクトリから選ぶか、名称を入力するか、どちらか一方にしてください。"
            )
        if (
            not data.get("provider")
            and (data.get("organization_name") or "").strip()
            and not data.get("organization_category")
        ):
            self.add_error("organization_category", "名称を入力した場合は、つなぎ先の種別を選んでください。")
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS if name in self.fields}


class _FoldedIntegerField(forms.IntegerField):
    """Minutes typed as `15`, `１５` or `15分`."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip().removesuffix("分")
        return super().to_python(value)


class _TypedTimeField(forms.TimeField):
    input_formats = ["%H:%M", "%H%M", "%H時%M分", "%H時"]

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
        return super().to_python(value)


class MoveForm(forms.Form):
    """One move: its date and note; for a contact move, the log to make or link; an optional next action."""

    RECORD_NONE, RECORD_NEW, RECORD_LINK = "none", "new", "link"

    on = JapaneseDateField(label="日付", not_future=True)
    note = forms.CharField(label="メモ", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    record = forms.ChoiceField(
        label="この連絡の記録",
        choices=[
            (RECORD_NEW, "この連絡を記録に残す（相談・支援・活動記録を作る）"),
            (RECORD_LINK, "既存の記録に紐づける"),
            (RECORD_NONE, "記録しない（すでに別に記録した、または連絡ではない）"),
        ],
        widget=forms.RadioSelect,
        initial=RECORD_NEW,
    )
    contact_method = forms.ChoiceField(label="方法", required=False)
    contact_started_at = _TypedTimeField(
        label="開始時刻",
        required=False,
        help_text="例：14:00",
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": "開始時刻は 14:00 のように入力してください。"},
    )
    contact_duration = _FoldedIntegerField(
        label="所要時間（分）",
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": "所要時間は分の数で入力してください（例：15）。",
            "min_value": "所要時間は1分以上にしてください。",
        },
    )
    contact_activity_types = forms.MultipleChoiceField(label="種別", required=False)
    contact_notes = forms.CharField(
        label="記録のメモ（要配慮）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contact_log = forms.ChoiceField(label="紐づける記録", required=False)
    follow_up_action = forms.CharField(label="次の対応", max_length=200, required=False)
    follow_up_due_on = JapaneseDateField(label="次の対応の期限", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    CONTACT_FIELDS = (
        "record",
        "contact_method",
        "contact_started_at",
        "contact_duration",
        "contact_activity_types",
        "contact_notes",
        "contact_log",
    )

    def __init__(self, *args, move: Move, referral: Referral, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.move = move
        self.referral = referral
        if move.needs_reason:
            self.fields["note"].label = "理由"
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = f"「{move.label}」には理由を入力してください。"
        if not move.is_contact:
            for name in self.CONTACT_FIELDS:
                del self.fields[name]
            return
        self.methods = {str(node.pk): node for node, _ in ContactMethod.objects.leaf_paths()}
        self.fields["contact_method"].choices = [("", "選んでください")] + grouped_leaf_choices(
            ContactMethod.objects.leaf_paths()
        )
        type_paths = ActivityType.objects.leaf_paths()
        self.activity_types = {str(node.pk): node for node, _ in type_paths}
        self.fields["contact_activity_types"].choices = grouped_leaf_choices(type_paths)
        self.fields["contact_activity_types"].help_text = "選ばなければ「サービス調整（全般）」に数えます。"
        default_type = next(
            (pk for pk, node in self.activity_types.items() if node.code == DEFAULT_ACTIVITY_TYPE_CODE), None
        )
        if default_type:
            self.fields["contact_activity_types"].initial = [default_type]
        self.logs = {
            str(log.pk): log
            for log in ContactLog.objects.for_office(referral.office)
            .filter(client=referral.client)
            .select_related("method")
            .order_by("-occurred_on", "-id")[:30]
        }
        self.fields["contact_log"].choices = [("", "選んでください")] + [
            (pk, f"{log.occurred_on:%Y/%m/%d} {log.method.label}") for pk, log in self.logs.items()
        ]

    @staticmethod
    def initial_for(referral: Referral) -> dict:
        return {"on": timezone.localdate(), "version": referral.version}

    def clean(self):
        data = super().clean()
        record = data.get("record")
        if record == self.RECORD_NEW and not data.get("contact_method"):
            self.add_error("contact_method", "記録に残す場合は、連絡の方法を選んでください。")
        if record == self.RECORD_LINK and not data.get("contact_log"):
            self.add_error("contact_log", "紐づける記録を選んでください。")
        if data.get("follow_up_due_on") and not (data.get("follow_up_action") or "").strip():
            self.add_error("follow_up_action", "期限を入れる場合は次の対応を入力してください。")
        return data

    def contact(self) -> StepContact | None:
        data = self.cleaned_data
        record = data.get("record")
        if record == self.RECORD_NEW:
            return StepContact(
                method=self.methods[data["contact_method"]],
                started_at=data.get("contact_started_at"),
                duration_minutes=data.get("contact_duration"),
                activity_types=[self.activity_types[pk] for pk in data.get("contact_activity_types") or []],
                confidential_notes=data.get("contact_notes") or "",
            )
        if record == self.RECORD_LINK:
            return StepContact(log=self.logs[data["contact_log"]])
        return None


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label="例外を認める理由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "例外を認める理由を入力してください。"},
        help_text="例：緊急の受け入れ調整のため、同意書の取り交わし前に連絡する必要がある（後日書面で同意を得る）",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
