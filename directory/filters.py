"""The directory list's search box, filters and sort (django-filter)."""

from datetime import date

import django_filters
from django import forms
from django.db.models import F, Q

from .models import District, MedicalCareProcedure, Provider, ProviderCategory
from .selectors import kana_order, matching_query, provider_municipalities
from .widgets import CheckboxList, LongSelect

ALL = "すべて"
DISTRICT, MUNICIPALITY = "district:", "city:"


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ProviderFilter(django_filters.FilterSet):
    """Search and filters of /directory/. Needs today's date (for "verified within 12 months")."""

    SORTS = {
        "kana": ("フリガナ順", [F("name_kana").asc(), "name", "pk"]),
        "category": ("種別順", ["category__position", "name_kana", "pk"]),
        "verified": ("確認日の古い順（未確認が先）", [F("verified_on").asc(nulls_first=True), "name_kana", "pk"]),
        "-verified": ("確認日の新しい順", [F("verified_on").desc(nulls_last=True), "name_kana", "pk"]),
    }
    PAGE_SIZES = [("50", "50件"), ("100", "100件"), ("200", "200件")]

    q = django_filters.CharFilter(label="名称・フリガナ・住所", method="filter_words")
    category = django_filters.ModelChoiceFilter(
        label="種別",
        queryset=ProviderCategory.objects.order_by("position"),
        to_field_name="code",
        empty_label=ALL,
        widget=LongSelect,
    )
    area = django_filters.ChoiceFilter(label="地区・区市町村", method="filter_area", empty_label=ALL, widget=LongSelect)
    procedure = django_filters.ModelMultipleChoiceFilter(
        label="受け入れる医療的ケア（すべて「可」か「条件付き」）",
        queryset=MedicalCareProcedure.objects.order_by("position"),
        to_field_name="code",
        widget=CheckboxList,
        method="filter_procedures",
    )
    age = IntegerFilter(label="対象年齢（歳）", method="filter_age", min_value=0, max_value=120)
    has_coordinator = django_filters.BooleanFilter(
        label="医療的ケア児等コーディネーターが在籍", widget=forms.CheckboxInput, method="filter_has_coordinator"
    )
    verified = django_filters.BooleanFilter(
        label="12か月以内に確認済みのものだけ", widget=forms.CheckboxInput, method="filter_verified"
    )
    inactive = django_filters.BooleanFilter(
        label="無効（廃止・休止）の機関も含める", widget=forms.CheckboxInput, method="filter_nothing"
    )
    sort = django_filters.ChoiceFilter(
        label="並び順",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="sort_by",
        empty_label=None,
        widget=LongSelect,
    )
    per_page = django_filters.ChoiceFilter(
        label="表示件数", choices=PAGE_SIZES, method="filter_nothing", empty_label=None, widget=LongSelect
    )

    class Meta:
        model = Provider
        fields = []

    def __init__(self, data=None, queryset=None, *, today: date, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.today = today
        self.filters["area"].extra["choices"] = self.area_choices()
        for name, message in [
            ("category", "種別は一覧から選んでください。"),
            ("area", "地区・区市町村は一覧から選んでください。"),
            ("procedure", "医療的ケアは一覧から選んでください。"),
            ("sort", "並び順は一覧から選んでください。"),
            ("per_page", "表示件数は一覧から選んでください。"),
        ]:
            field = self.form.fields[name]
            field.error_messages["invalid_choice"] = message
            field.error_messages["invalid_pk_value"] = message
        self.form.fields["age"].error_messages.update(
            invalid="年齢は数字で入力してください。",
            min_value="年齢は0以上で入力してください。",
            max_value="年齢は120以下で入力してください。",
        )

    @staticmethod
    def area_choices() -> list:
        """The districts, then the other municipalities providers are in (two queries)."""
        rows = District.objects.order_by("municipality", "code").values_list("code", "municipality", "name")
        districts = [(f"{DISTRICT}{code}", f"{municipality} {name}") for code, municipality, name in rows]  # str(d)
        municipalities = provider_municipalities()
        return [
            ("地区", districts),
            ("区市町村", [(f"{MUNICIPALITY}{name}", name) for name in municipalities]),
        ]

    @property
    def page_size(self) -> int:
        return int(self.form.cleaned_data.get("per_page") or self.PAGE_SIZES[0][0])

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("inactive"):
            queryset = queryset.filter(is_active=True)
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = self.sort_by(queryset, "sort", "kana")
        return queryset

    def filter_words(self, queryset, name, value):
        return queryset.filter(matching_query(value))

    def filter_area(self, queryset, name, value):
        if value.startswith(DISTRICT):
            return queryset.filter(district__code=value.removeprefix(DISTRICT))
        city = value.removeprefix(MUNICIPALITY)
        return queryset.filter(Q(municipality=city) | Q(district__municipality=city))

    def filter_procedures(self, queryset, name, value):
        return queryset.accepting(value)

    def filter_age(self, queryset, name, value):
        return queryset.serving_age(value)

    def filter_has_coordinator(self, queryset, name, value):
        return queryset.filter(has_coordinator=True) if value else queryset

    def filter_verified(self, queryset, name, value):
        return queryset.verified_within_a_year(self.today) if value else queryset

    def sort_by(self, queryset, name, value):
        ordering = self.SORTS[value][1]
        if value == "kana":  # see selectors.kana_order: a two-character word's matches are sorted
            ordering = kana_order(self.form.cleaned_data.get("q"), *ordering[1:])
        return queryset.order_by(*ordering)

    def filter_nothing(self, queryset, name, value):
        """Validated and shown with the rest; the view or filter_queryset applies it."""
        return queryset
