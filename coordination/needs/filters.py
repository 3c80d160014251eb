"""The needs list's filters (and the export's, which selects the same needs)."""

import django_filters
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from accounts.models import Office
from coordination.clients.age_bands import AgeBand
from coordination.filters import ALL
from coordination.forms import with_long_selects
from coordination.needs.models import OPEN_NEED_STATUSES, Need, NeedCategory, NeedStatus
from directory.models import District
from directory.selectors import office_districts

# Not a status of its own: every need not yet 解決 or 継続課題.
OPEN = "open"


class NeedFilter(django_filters.FilterSet):
    """Status, category, district, life stage and words of the title or description. Needs the office and today."""

    PAGE_SIZES = [("50", "50件"), ("100", "100件"), ("200", "200件")]

    status = django_filters.ChoiceFilter(
        label="状態",
        choices=[(OPEN, "対応中のもの（解決・継続課題以外）"), *NeedStatus.choices],
        method="filter_status",
        empty_label=ALL,
    )
    category = django_filters.ModelChoiceFilter(
        label="分類", queryset=NeedCategory.objects.order_by("position"), empty_label=ALL
    )
    district = django_filters.ModelChoiceFilter(
        label="地区", queryset=District.objects.none(), method="filter_district", empty_label=ALL
    )
    life_stage = django_filters.ChoiceFilter(
        label="ライフステージ", choices=AgeBand.choices, method="filter_life_stage", empty_label=ALL
    )
    q = django_filters.CharFilter(
        label="件名・内容の語", method="filter_text", max_length=100, help_text="件名と内容から探します"
    )
    per_page = django_filters.ChoiceFilter(
        label="表示件数", choices=PAGE_SIZES, method="filter_nothing", empty_label=None
    )

    class Meta:
        model = Need
        fields = []

    def __init__(self, data=None, queryset=None, *, office: Office, today, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.today = today
        self.filters["district"].queryset = District.objects.filter(pk__in=[d.pk for d in office_districts(office)])
        for name, message in [
            ("status", "状態は一覧から選んでください。"),
            ("category", "分類は一覧から選んでください。"),
            ("district", "地区は一覧から選んでください。"),
            ("life_stage", "ライフステージは一覧から選んでください。"),
            ("per_page", "表示件数は一覧から選んでください。"),
        ]:
            self.form.fields[name].error_messages["invalid_choice"] = message
        self.form.fields["q"].error_messages["max_length"] = "検索する語は100文字以内にしてください。"
        with_long_selects(self.form)

    @property
    def page_size(self) -> int:
        return int(self.form.cleaned_data.get("per_page") or self.PAGE_SIZES[0][0])

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_NEED_STATUSES)
        return queryset.filter(status=value)

    def filter_district(self, queryset, name, value):
        return queryset.filter(districts=value) if value else queryset

    def filter_life_stage(self, queryset, name, value):
        # The stages are a JSON list of codes; its text holds each code in quotes (SQLite and PostgreSQL alike).
        return queryset.alias(life_stages_text=Cast("life_stages", TextField())).filter(
            life_stages_text__contains=f'"{value}"'
        )

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_nothing(self, queryset, name, value):
        return queryset
