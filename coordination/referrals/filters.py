"""The referral list's filters and sort (and the export's, which selects the same referrals)."""

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef

from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from coordination.filters import ALL
from coordination.referrals.models import Referral
from coordination.referrals.states import OPEN_STATES, ReferralState
from directory.models import Provider

# Not a state of its own: every referral not yet finished (準備中, 依頼済, 受理, 利用開始).
OPEN = "open"


class ReferralFilter(django_filters.FilterSet):
    """State, provider, coordinator, answer overdue, consent withdrawn; and the sort. Needs the office and today."""

    SORTS = {
        "-changed": ("状態が変わった日（新しい順）", ["-state_changed_on", "-id"]),
        "due": ("回答期限（近い順）", [F("answer_due_on").asc(nulls_last=True), "-state_changed_on", "-id"]),
        "kana": ("相談対象者（フリガナ順）", ["client__name_kana", "client__name", "-state_changed_on", "-id"]),
    }
    PAGE_SIZES = [("50", "50件"), ("100", "100件"), ("200", "200件")]

    state = django_filters.ChoiceFilter(
        label="状態",
        choices=[(OPEN, "進行中（準備中・依頼済・受理・利用開始）"), *ReferralState.choices],
        method="filter_state",
        empty_label=ALL,
    )
    provider = django_filters.ModelChoiceFilter(label="つなぎ先", queryset=Provider.objects.none(), empty_label=ALL)
    coordinator = django_filters.ModelChoiceFilter(
        label="担当コーディネーター", queryset=User.objects.none(), empty_label=ALL
    )
    overdue = django_filters.BooleanFilter(
        label="回答期限を過ぎたもの（依頼済）だけ", method="filter_overdue", widget=forms.CheckboxInput
    )
    consent_withdrawn = django_filters.BooleanFilter(
        label="同意が撤回されたもの（進行中）だけ", method="filter_consent_withdrawn", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label="並び順", choices=[(key, label) for key, (label, _) in SORTS.items()], method="sort_by", empty_label=None
    )
    per_page = django_filters.ChoiceFilter(
        label="表示件数", choices=PAGE_SIZES, method="filter_nothing", empty_label=None
    )

    class Meta:
        model = Referral
        fields = []

    def __init__(self, data=None, queryset=None, *, office, today, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.today = today
        self.filters["coordinator"].queryset = User.objects.filter(
            office=office, groups__name=ROLE_GROUPS[Role.COORDINATOR]
        ).order_by("last_name", "first_name", "username")
        # Only providers the office's referrals name: the directory holds thousands.
        self.filters["provider"].queryset = Provider.objects.filter(
            Exists(Referral.objects.filter(provider=OuterRef("pk"), office=office))
        ).order_by("name_kana", "name")
        for name, message in [
            ("state", "状態は一覧から選んでください。"),
            ("provider", "つなぎ先は一覧から選んでください。"),
            ("coordinator", "担当コーディネーターは一覧から選んでください。"),
            ("sort", "並び順は一覧から選んでください。"),
            ("per_page", "表示件数は一覧から選んでください。"),
        ]:
            self.form.fields[name].error_messages["invalid_choice"] = message

    @property
    def page_size(self) -> int:
        """Rows a page; the model's order (state changed, newest first) unless a sort is chosen."""
        return int(self.form.cleaned_data.get("per_page") or self.PAGE_SIZES[0][0])

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(state__in=OPEN_STATES)
        return queryset.filter(state=value)

    def filter_overdue(self, queryset, name, value):
        return queryset.answer_overdue(self.today) if value else queryset

    def filter_consent_withdrawn(self, queryset, name, value):
        return queryset.consent_withdrawn() if value else queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS[value][1])

    def filter_nothing(self, queryset, name, value):
        """The page size is the view's business; it is here to be validated and shown with the rest."""
        return queryset
