"""The client list's filters."""

import unicodedata

import django_filters
from django.db.models import F, Q

from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from common.kana import fold_for_comparison
from coordination.clients.age_bands import AgeBand, birth_date_range
from coordination.clients.models import ClientStatus
from coordination.clients.selectors import without_spaces
from coordination.filters import ALL
from coordination.forms import with_long_selects
from directory.models import MedicalCareProcedure
from directory.selectors import office_districts


class ClientFilter(django_filters.FilterSet):
    """The client list's filters and sort. Needs the office (for the choices) and the fiscal year
    the age bands are computed for."""

    OUTSIDE, UNKNOWN = "outside", "unknown"
    SORTS = {
        "kana": ("フリガナ順", [F("name_kana").asc(), "name", "pk"]),
        "-kana": ("フリガナの逆順", [F("name_kana").desc(), "-name", "-pk"]),
        "birth_date": ("生年月日（年上から）", [F("birth_date").asc(nulls_last=True), "name_kana", "pk"]),
        "-birth_date": ("生年月日（年下から）", [F("birth_date").desc(nulls_last=True), "name_kana", "pk"]),
        "-last_contact": ("最終連絡日（新しい順）", [F("last_contact_on").desc(nulls_last=True), "name_kana", "pk"]),
        "last_contact": (
            "最終連絡日（古い順・連絡なしが先）",
            [F("last_contact_on").asc(nulls_first=True), "name_kana", "pk"],
        ),
    }

    q = django_filters.CharFilter(label="氏名・フリガナ", method="filter_name")
    district = django_filters.ChoiceFilter(label="地区", method="filter_district", empty_label=ALL)
    age_band = django_filters.ChoiceFilter(
        label="年齢区分（今年度）", choices=AgeBand.choices, method="filter_age_band", empty_label=ALL
    )
    medical_care = django_filters.ChoiceFilter(
        label="医療的ケア", choices=[("yes", "あり"), ("no", "なし")], method="filter_medical_care", empty_label=ALL
    )
    procedure = django_filters.ModelChoiceFilter(
        label="医療的ケアの内容", field_name="procedures", queryset=MedicalCareProcedure.objects.all(), empty_label=ALL
    )
    status = django_filters.ChoiceFilter(label="状況", choices=ClientStatus.choices, empty_label=ALL)
    coordinator = django_filters.ModelChoiceFilter(
        label="担当コーディネーター",
        field_name="assigned_coordinator",
        queryset=User.objects.none(),
        empty_label=ALL,
        null_label="担当なし",
    )
    sort = django_filters.ChoiceFilter(
        label="並び順", choices=[(key, label) for key, (label, _) in SORTS.items()], method="sort_by", empty_label=None
    )

    def __init__(self, data=None, queryset=None, *, office, fiscal_year: int, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.fiscal_year = fiscal_year
        self.filters["district"].extra["choices"] = [(d.code, d.name) for d in office_districts(office)] + [
            (self.OUTSIDE, "区外"),
            (self.UNKNOWN, "不明"),
        ]
        self.filters["coordinator"].queryset = User.objects.filter(
            office=office, groups__name=ROLE_GROUPS[Role.COORDINATOR]
        ).order_by("last_name", "first_name", "username")
        with_long_selects(self.form)

    def filter_name(self, queryset, name, value):
        # Names compare without spaces; フリガナ also without width or hiragana/katakana differences.
        name_key = "".join(unicodedata.normalize("NFKC", value).split())
        if not name_key:
            return queryset
        return queryset.alias(name_key=without_spaces("name"), kana_key=without_spaces("name_kana")).filter(
            Q(name_key__icontains=name_key) | Q(kana_key__icontains=fold_for_comparison(value))
        )

    def filter_district(self, queryset, name, value):
        if value == self.OUTSIDE:
            return queryset.filter(district__isnull=True).exclude(municipality_outside="")
        if value == self.UNKNOWN:
            return queryset.filter(district__isnull=True, municipality_outside="")
        return queryset.filter(district__code=value)

    def filter_age_band(self, queryset, name, value):
        """The override wins; otherwise the birth date falls in the band's range for the fiscal year."""
        band = AgeBand(value)
        if band == AgeBand.UNKNOWN:
            computed = Q(birth_date__isnull=True)
        else:
            first, last = birth_date_range(band, self.fiscal_year)
            computed = Q(birth_date__isnull=False)
            if first:
                computed &= Q(birth_date__gte=first)
            if last:
                computed &= Q(birth_date__lte=last)
        return queryset.filter(Q(age_band_override=band) | (Q(age_band_override="") & computed))

    def filter_medical_care(self, queryset, name, value):
        return queryset.filter(has_medical_care=value == "yes")

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS[value][1])
