"""The event list's filters."""

import unicodedata

import django_filters
from django import forms
from django.db.models import Q

from coordination.events.models import Event, EventKind
from coordination.fiscal import FiscalPeriod, fiscal_year_label
from coordination.forms import with_long_selects


class _EventFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("quarter") and not data.get("fiscal_year"):
            self.add_error("quarter", "四半期で絞り込むときは年度も選んでください。")
        return data


class EventFilter(django_filters.FilterSet):
    """The event list's filters: kind, fiscal year and quarter, words; newest or oldest first."""

    kind = django_filters.ChoiceFilter(label="種類", choices=EventKind.choices, empty_label="すべて")
    fiscal_year = django_filters.ChoiceFilter(label="年度", empty_label="すべての年度", method="filter_nothing")
    quarter = django_filters.ChoiceFilter(
        label="四半期",
        empty_label="年度全体",
        method="filter_nothing",
        choices=[
            (str(q), f"第{q}四半期（{m}）") for q, m in ((1, "4～6月"), (2, "7～9月"), (3, "10～12月"), (4, "1～3月"))
        ],
    )
    q = django_filters.CharFilter(label="キーワード", method="filter_words")
    sort = django_filters.ChoiceFilter(
        label="並び順",
        choices=[("newest", "新しい順"), ("oldest", "古い順")],
        empty_label=None,
        method="filter_nothing",
    )

    class Meta:
        model = Event
        fields = ["kind"]
        form = _EventFilterForm

    def __init__(self, data=None, *args, fiscal_years: list[int], **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["fiscal_year"].extra["choices"] = [(str(year), fiscal_year_label(year)) for year in fiscal_years]
        for name, message in [
            ("kind", "種類は一覧から選んでください。"),
            ("fiscal_year", "年度は一覧から選んでください。"),
            ("quarter", "四半期は一覧から選んでください。"),
            ("sort", "並び順は一覧から選んでください。"),
        ]:
            self.form.fields[name].error_messages["invalid_choice"] = message
        with_long_selects(self.form)

    def filter_nothing(self, queryset, name, value):
        """Period and order need two fields together; `filter_queryset` applies them."""
        return queryset

    def filter_words(self, queryset, name, value):
        # Full-width letters and digits fold to half-width, as the office types both.
        for word in unicodedata.normalize("NFKC", value).split():
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(topic__icontains=word)
                | Q(audience__icontains=word)
                | Q(method_venue__icontains=word)
                | Q(role__icontains=word)
            )
        return queryset

    @property
    def period(self) -> FiscalPeriod | None:
        data = self.form.cleaned_data
        if not data.get("fiscal_year"):
            return None
        quarter = int(data["quarter"]) if data.get("quarter") else None
        return FiscalPeriod(int(data["fiscal_year"]), quarter or 1, quarter or 4)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.period is not None:
            queryset = queryset.in_period(self.period)
        if self.form.cleaned_data.get("sort") == "oldest":
            return queryset.order_by("held_on", "started_at", "id")
        return queryset.order_by("-held_on", "-started_at", "-id")
