"""The client form and its guardians."""

import re

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from common.kana import fold_for_search, fold_for_storage
from coordination.clients.age_bands import AgeBand
from coordination.clients.models import Client, ConsentMethod, Guardian
from coordination.clients.selectors import client_search
from coordination.clients.services import GuardianEntry
from coordination.forms import CANDIDATES_SHOWN, JapaneseDateField, the_one_typed, with_long_selects
from directory.models import District, ProviderCategory


def client_option_label(client: Client) -> str:
    return f"{client.name}（{client.name_kana}）" if client.name_kana else client.name


def resolve_typed_client(office, typed: str) -> Client:
    """The one client of the office a typed name or フリガナ names (the pickers without JavaScript)."""
    found = list(client_search(office, typed, limit=CANDIDATES_SHOWN + 1))
    compact, kana = "".join(typed.split()), fold_for_search(typed)
    exact = [c for c in found if compact == "".join(c.name.split()) or kana == fold_for_search(c.name_kana)]
    return the_one_typed(
        found,
        exact,
        label=client_option_label,
        nothing=f"「{typed}」に当てはまる相談対象者はこの事業所にいません。氏名かフリガナを確かめてください。",
        several=f"「{typed}」に当てはまる相談対象者が複数います（{{names}}）。氏名をもう少し詳しく入力してください。",
    )


_KATAKANA = re.compile(r"[\u30A1-\u30FE ]+")
_IDS = re.compile(r"\b\d{1,18}\b", re.ASCII)


class ClientForm(forms.ModelForm):
    """A client's facts. The view shows likely duplicates and saves only once they are confirmed."""

    # What the duplicate check compares (with the guardians' phones): an edit that changes none of
    # them is not checked again.
    IDENTITY_FIELDS = ("name", "name_kana", "birth_date")

    birth_date = JapaneseDateField(label="生年月日", required=False, not_future=True)
    consent_obtained_on = JapaneseDateField(label="情報共有の同意日", required=False, not_future=True)
    # The tick is for the candidates on the page only: a browser draft must not bring it back.
    confirm_not_duplicate = forms.BooleanField(
        label="重複ではないことを確認しました",
        required=False,
        widget=forms.CheckboxInput(attrs={"data-form-draft-skip": ""}),
    )
    # The ids of the likely duplicates the page listed, so that a tick does not cover one found later.
    duplicates_shown = forms.CharField(widget=forms.HiddenInput, required=False)
    # The version the editor read (optimistic locking); not a model field of the form, so the
    # service, not the form, decides what is saved.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Client
        fields = [
            "name",
            "name_kana",
            "birth_date",
            "status",
            "assigned_coordinator",
            "district",
            "municipality_outside",
            "has_medical_care",
            "procedures",
            "age_band_override",
            "age_band_override_reason",
            "consent_obtained_on",
            "consent_scope",
            "consent_taken_by",
            "notes",
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
        if self.instance.pk is not None:
            self.initial.setdefault("version", self.instance.version)
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
        with_long_selects(self)

    def clean_name_kana(self):
        kana = fold_for_storage(self.cleaned_data["name_kana"])
        if kana and not _KATAKANA.fullmatch(kana):
            raise ValidationError("フリガナはカタカナかひらがなで入力してください。")
        return kana

    def has_changed_identity(self) -> bool:
        """Whether what the duplicate check compares (氏名, フリガナ, birth date) was changed."""
        return any(field in self.changed_data for field in self.IDENTITY_FIELDS)

    def confirmed_not_duplicate_of(self, candidate_pks: set[int]) -> bool:
        """Whether the tick was given on a page that listed every one of these candidates."""
        shown = {int(pk) for pk in _IDS.findall(self.cleaned_data["duplicates_shown"])}
        return self.cleaned_data["confirm_not_duplicate"] and candidate_pks <= shown

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

    def has_changed_phones(self) -> bool:
        """Whether a phone number was typed or changed in a guardian kept (the duplicate check compares them)."""
        return any(
            "phone" in form.changed_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        )

    def guardian_entries(self) -> list[GuardianEntry]:
        """The filled-in, not deleted guardians, as services take them."""
        entries = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            entries.append(
                GuardianEntry(
                    pk=form.instance.pk,
                    name=data["name"],
                    relationship=data["relationship"],
                    phone=data["phone"],
                    email=data["email"],
                    is_primary=data["is_primary"],
                )
            )
        return entries


GuardianFormSet = forms.inlineformset_factory(
    Client, Guardian, form=GuardianForm, formset=BaseGuardianFormSet, extra=2, can_delete=True
)


class ConsentForm(forms.Form):
    """情報共有の同意 as the family gave it: the service checks the rules and saves."""

    given_on = JapaneseDateField(label="同意日", not_future=True)
    expires_on = JapaneseDateField(
        label="有効期限（この日まで有効）", required=False, help_text="期限のない同意は空欄のまま。例：2026/3/31"
    )
    categories = forms.ModelMultipleChoiceField(
        label="情報を共有してよい機関の種別",
        queryset=ProviderCategory.objects.select_related("counterpart_category__parent"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "情報を共有してよい機関の種別を1つ以上選んでください。",
            "invalid_choice": "選べない種別が含まれています。",
            "invalid_pk_value": "選べない種別が含まれています。",
        },
    )
    given_by = forms.CharField(label="同意した方", max_length=100, help_text="「母」「本人と父」など")
    method = forms.ChoiceField(
        label="同意の方法", choices=ConsentMethod.choices, initial=ConsentMethod.WRITTEN, widget=forms.RadioSelect
    )
    scope_note = forms.CharField(
        label="共有する情報の範囲・条件",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="「病状は主治医の了解を得てから」など、条件があれば",
    )

    def category_groups(self) -> list[tuple[str, list]]:
        """The kinds' checkboxes grouped under the report's top headings (医療機関, 保育機関…), in list order."""
        by_pk = {str(category.pk): category for category in self.fields["categories"].queryset}
        groups: list[tuple[str, list]] = []
        for box in self["categories"]:
            category = by_pk.get(str(box.data["value"]))
            counterpart = category.counterpart_category if category else None
            heading = (counterpart.parent or counterpart).label if counterpart else "その他"
            if groups and groups[-1][0] == heading:
                groups[-1][1].append(box)
            else:
                groups.append((heading, [box]))
        return groups


class ConsentWithdrawForm(forms.Form):
    """The day a consent was withdrawn and what the family said; the version read (optimistic locking)."""

    withdrawn_on = JapaneseDateField(label="撤回日", not_future=True)
    note = forms.CharField(
        label="撤回の内容",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="誰から、どのように撤回の申し出があったか",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
