"""The filter forms of coordination's list pages (django-filter)."""
import unicodedata
from collections import defaultdict
from datetime import date

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, Value

from common.kana import fold_for_comparison
from directory.models import CounterpartCategory, MedicalCareProcedure, Provider
from directory.selectors import office_districts

from .age_bands import AgeBand, birth_date_range
from .fiscal import FiscalPeriod, fiscal_year_label
from .forms import JapaneseDateField
from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from .models import ActivityType, Client, ClientStatus, ContactLog, ContactMethod, Counterpart, Event, EventKind
from .selectors import without_spaces

ALL = "すべて"


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
        "last_contact": ("最終連絡日（古い順・連絡なしが先）", [F("last_contact_on").asc(nulls_first=True), "name_kana", "pk"]),
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
        label="担当コーディネーター", field_name="assigned_coordinator", queryset=User.objects.none(),
        empty_label=ALL, null_label="担当なし",
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
        label="四半期", empty_label="年度全体", method="filter_nothing",
        choices=[(str(q), f"第{q}四半期（{m}）") for q, m in ((1, "4～6月"), (2, "7～9月"), (3, "10～12月"), (4, "1～3月"))],
    )
    q = django_filters.CharFilter(label="キーワード", method="filter_words")
    sort = django_filters.ChoiceFilter(
        label="並び順", choices=[("newest", "新しい順"), ("oldest", "古い順")], empty_label=None,
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

    def filter_nothing(self, queryset, name, value):
        """Period and order need two fields together; `filter_queryset` applies them."""
        return queryset

    def filter_words(self, queryset, name, value):
        # Full-width letters and digits fold to half-width, as the office types both.
        for word in unicodedata.normalize("NFKC", value).split():
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(topic__icontains=word) | Q(audience__icontains=word)
                | Q(method_venue__icontains=word) | Q(role__icontains=word)
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


# --- contact logs ------------------------------------------------------------------------------


class JapaneseDateFilter(django_filters.Filter):
    field_class = JapaneseDateField


class TreeChoices:
    """A category tree as filter choices: every group (meaning all leaves under it) and every leaf."""

    def __init__(self, nodes: list[dict]):
        by_id = {node["id"]: node for node in nodes}
        children = defaultdict(list)
        for node in nodes:
            children[node["parent_id"]].append(node)

        def path(node):
            return (path(by_id[node["parent_id"]]) if node["parent_id"] else ()) + (node["label"],)

        def leaves(node):
            kids = children[node["id"]]
            return [node["id"]] if not kids else [pk for child in kids for pk in leaves(child)]

        self.choices = [
            (node["code"], " ▸ ".join(path(node)) + ("（すべて）" if children[node["id"]] else "")) for node in nodes
        ]
        self._leaf_ids = {node["code"]: leaves(node) for node in nodes}

    @classmethod
    def load(cls, *models) -> list["TreeChoices"]:
        """One TreeChoices per model, all read in one query (UNION ALL of the trees, each in report order)."""
        fields = ("id", "code", "label", "parent_id", "position")
        trees = [
            model.objects.order_by().annotate(tree=Value(number)).values(*fields, "tree")
            for number, model in enumerate(models)
        ]
        nodes = defaultdict(list)
        for node in trees[0].union(*trees[1:], all=True).order_by("tree", "position"):
            nodes[node["tree"]].append(node)
        return [cls(nodes[number]) for number in range(len(models))]

    def leaf_ids(self, code: str) -> list[int]:
        return self._leaf_ids.get(code, [])


def _fiscal_quarter_choices(fiscal_years: list[int]) -> list[tuple[str, str]]:
    months = {1: "4～6月", 2: "7～9月", 3: "10～12月", 4: "1～3月"}
    choices = []
    for year in fiscal_years:
        choices.append((str(year), f"{fiscal_year_label(year)}（通年）"))
        choices.extend((f"{year}-{q}", f"{fiscal_year_label(year)} 第{q}四半期（{months[q]}）") for q in months)
    return choices


class _ContactLogFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "期間の終わりは始まりと同じ日か後の日にしてください。")
        return data


class ContactLogFilter(django_filters.FilterSet):
    """The log list's filters and sort; the export applies the same. Needs the office and the
    fiscal years offered (one query for the three category trees when created)."""

    SORTS = {
        "-date": ("日付（新しい順）", ["-occurred_on", F("started_at").desc(nulls_last=True), "-id"]),
        "date": ("日付（古い順）", ["occurred_on", F("started_at").asc(nulls_first=True), "id"]),
        "method": ("方法（報告書の順）", ["method__position", "-occurred_on", "-id"]),
        "coordinator": (
            "コーディネーター",
            ["coordinator__last_name", "coordinator__first_name", "coordinator__username", "-occurred_on", "-id"],
        ),
        "-duration": ("所要時間（長い順）", [F("duration_minutes").desc(nulls_last=True), "-occurred_on", "-id"]),
        "duration": ("所要時間（短い順）", [F("duration_minutes").asc(nulls_last=True), "-occurred_on", "-id"]),
    }
    PAGE_SIZES = [("50", "50件"), ("100", "100件"), ("200", "200件")]

    date_from = JapaneseDateFilter(label="期間（から）", field_name="occurred_on", lookup_expr="gte")
    date_to = JapaneseDateFilter(label="期間（まで）", field_name="occurred_on", lookup_expr="lte")
    quarter = django_filters.ChoiceFilter(label="年度・四半期", method="filter_quarter", empty_label="指定しない")
    coordinator = django_filters.ModelChoiceFilter(label="コーディネーター", queryset=User.objects.none(), empty_label=ALL)
    client = django_filters.ModelChoiceFilter(
        label="相談対象者", queryset=Client.objects.none(), empty_label=ALL, null_label="対象者なし（地域づくり等）"
    )
    method = django_filters.ChoiceFilter(label="方法", method="filter_method", empty_label=ALL)
    activity_type = django_filters.ChoiceFilter(label="種別", method="filter_activity_type", empty_label=ALL)
    counterpart_category = django_filters.ChoiceFilter(
        label="相談者・相手先の区分", method="filter_counterpart_category", empty_label=ALL
    )
    provider = django_filters.ModelChoiceFilter(
        label="機関・事業所", queryset=Provider.objects.none(), method="filter_provider", empty_label=ALL
    )
    q = django_filters.CharFilter(label="キーワード", method="filter_words")
    sort = django_filters.ChoiceFilter(
        label="並び順", choices=[(key, label) for key, (label, _) in SORTS.items()], method="sort_by", empty_label=None
    )
    per_page = django_filters.ChoiceFilter(
        label="表示件数", choices=PAGE_SIZES, method="filter_nothing", empty_label=None
    )

    class Meta:
        model = ContactLog
        fields = []
        form = _ContactLogFilterForm

    def __init__(self, data=None, queryset=None, *, office, fiscal_years: list[int], **kwargs):
        super().__init__(data, queryset, **kwargs)
        names = ("method", "activity_type", "counterpart_category")
        self.trees = dict(zip(names, TreeChoices.load(ContactMethod, ActivityType, CounterpartCategory)))
        for name, tree in self.trees.items():
            self.filters[name].extra["choices"] = tree.choices
        self.filters["quarter"].extra["choices"] = _fiscal_quarter_choices(fiscal_years)
        self.filters["coordinator"].queryset = User.objects.filter(
            office=office, groups__name=ROLE_GROUPS[Role.COORDINATOR]
        ).order_by("last_name", "first_name", "username")
        self.filters["client"].queryset = Client.objects.for_office(office).order_by("name_kana", "name")
        # Only providers the office's logs name: the directory holds thousands.
        self.filters["provider"].queryset = Provider.objects.filter(
            Exists(Counterpart.objects.filter(provider=OuterRef("pk"), contact_log__office=office))
        ).order_by("name_kana", "name")
        for name, message in [
            ("quarter", "年度・四半期は一覧から選んでください。"),
            ("coordinator", "コーディネーターは一覧から選んでください。"),
            ("client", "相談対象者は一覧から選んでください。"),
            ("method", "方法は一覧から選んでください。"),
            ("activity_type", "種別は一覧から選んでください。"),
            ("counterpart_category", "相談者・相手先の区分は一覧から選んでください。"),
            ("provider", "機関・事業所は一覧から選んでください。"),
            ("sort", "並び順は一覧から選んでください。"),
            ("per_page", "表示件数は一覧から選んでください。"),
        ]:
            self.form.fields[name].error_messages["invalid_choice"] = message
        self.form.fields["client"].label_from_instance = (
            lambda client: f"{client.name}（{client.name_kana}）" if client.name_kana else client.name
        )

    @property
    def period(self) -> tuple[date | None, date | None]:
        """The first and last day the filters allow (None where open), for the export's file name."""
        data = self.form.cleaned_data
        starts, ends = [data.get("date_from")], [data.get("date_to")]
        if data.get("quarter"):
            quarter = self._quarter_period(data["quarter"])
            starts.append(quarter.start)
            ends.append(quarter.end)
        starts, ends = [day for day in starts if day], [day for day in ends if day]
        return (max(starts) if starts else None, min(ends) if ends else None)

    @property
    def page_size(self) -> int:
        return int(self.form.cleaned_data.get("per_page") or self.PAGE_SIZES[0][0])

    @staticmethod
    def _quarter_period(value: str) -> FiscalPeriod:
        year, _, quarter = value.partition("-")
        return FiscalPeriod(int(year), int(quarter or 1), int(quarter or 4))

    def filter_quarter(self, queryset, name, value):
        return queryset.in_period(self._quarter_period(value))

    def filter_method(self, queryset, name, value):
        return queryset.filter(method_id__in=self.trees["method"].leaf_ids(value))

    def filter_activity_type(self, queryset, name, value):
        chosen = ContactLog.activity_types.through.objects.filter(
            contactlog_id=OuterRef("pk"), activitytype_id__in=self.trees["activity_type"].leaf_ids(value)
        )
        return queryset.filter(Exists(chosen))

    def filter_counterpart_category(self, queryset, name, value):
        chosen = Counterpart.objects.filter(
            contact_log=OuterRef("pk"), category_id__in=self.trees["counterpart_category"].leaf_ids(value)
        )
        return queryset.filter(Exists(chosen))

    def filter_provider(self, queryset, name, value):
        return queryset.filter(Exists(Counterpart.objects.filter(contact_log=OuterRef("pk"), provider=value)))

    def filter_words(self, queryset, name, value):
        """Every word in the summary, the follow-up or a counterpart's organization name."""
        for word in unicodedata.normalize("NFKC", value).split():
            named = Counterpart.objects.filter(contact_log=OuterRef("pk")).filter(
                Q(organization_name__icontains=word) | Q(provider__name__icontains=word)
            )
            queryset = queryset.filter(
                Q(report_summary__icontains=word) | Q(follow_up_action__icontains=word) | Exists(named)
            )
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS[value][1])

    def filter_nothing(self, queryset, name, value):
        """The page size is the view's business; it is here to be validated and shown with the rest."""
        return queryset
