"""The log list's filters (and the export's, which selects the same logs)."""

import unicodedata
from datetime import date

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q

from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from coordination.clients.forms import client_option_label
from coordination.clients.models import Client
from coordination.clients.selectors import client_search
from coordination.filters import ALL, JapaneseDateFilter, TreeChoices, fiscal_quarter_choices
from coordination.fiscal import FiscalPeriod
from coordination.followups.models import FollowUp
from coordination.forms import chosen_pk, with_long_selects
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart, SupportKind
from directory.models import CounterpartCategory, Provider


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
    coordinator = django_filters.ModelChoiceFilter(
        label="コーディネーター", queryset=User.objects.none(), empty_label=ALL
    )
    # Only the chosen client is an option (the page does not list the office's clients): the picker
    # searches client_lookup as the user types; without JavaScript client_name finds clients by name.
    client = django_filters.ChoiceFilter(label="相談対象者", empty_label=ALL, null_label="対象者なし（地域づくり等）")
    client_name = django_filters.CharFilter(
        label="相談対象者（氏名・フリガナ）", method="filter_client_name", help_text="氏名かフリガナの一部で探します"
    )
    support_kind = django_filters.ChoiceFilter(label="支援の種類", choices=SupportKind.choices, empty_label=ALL)
    method = django_filters.ChoiceFilter(label="方法", method="filter_method", empty_label=ALL)
    activity_type = django_filters.ChoiceFilter(label="種別", method="filter_activity_type", empty_label=ALL)
    counterpart_category = django_filters.ChoiceFilter(
        label="相談者・相手先の区分", method="filter_counterpart_category", empty_label=ALL
    )
    # Only the chosen provider is an option (a link's `?provider=`): listing every provider the office's
    # logs name took a scan of all the offices' counterparts on each page (seconds at a million logs).
    # provider_name finds them by name instead.
    provider = django_filters.ModelChoiceFilter(
        label="機関・事業所", queryset=Provider.objects.none(), method="filter_provider", empty_label=ALL
    )
    provider_name = django_filters.CharFilter(
        label="機関・事業所（名前の一部）", method="filter_provider_name", help_text="相手先の機関名の一部で探します"
    )
    q = django_filters.CharFilter(
        label="キーワード", method="filter_words", help_text="報告書用の要約・次の対応・相手先の機関名から探します"
    )
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
        self.filters["quarter"].extra["choices"] = fiscal_quarter_choices(fiscal_years)
        self.filters["coordinator"].queryset = User.objects.filter(
            office=office, groups__name=ROLE_GROUPS[Role.COORDINATOR]
        ).order_by("last_name", "first_name", "username")
        self.office = office
        chosen = chosen_pk((data or {}).get("client"))
        clients = Client.objects.for_office(office).filter(pk=chosen) if chosen else []
        self.filters["client"].extra["choices"] = [(str(c.pk), client_option_label(c)) for c in clients]
        chosen_provider = chosen_pk((data or {}).get("provider"))
        self.provider_chosen = chosen_provider is not None
        self.filters["provider"].queryset = (
            Provider.objects.filter(pk=chosen_provider) if chosen_provider else Provider.objects.none()
        )
        for name, message in [
            ("quarter", "年度・四半期は一覧から選んでください。"),
            ("coordinator", "コーディネーターは一覧から選んでください。"),
            ("client", "相談対象者は一覧から選んでください。"),
            ("support_kind", "支援の種類は一覧から選んでください。"),
            ("method", "方法は一覧から選んでください。"),
            ("activity_type", "種別は一覧から選んでください。"),
            ("counterpart_category", "相談者・相手先の区分は一覧から選んでください。"),
            ("provider", "機関・事業所は一覧から選んでください。"),
            ("sort", "並び順は一覧から選んでください。"),
            ("per_page", "表示件数は一覧から選んでください。"),
        ]:
            self.form.fields[name].error_messages["invalid_choice"] = message
        with_long_selects(self.form)

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

    def filter_provider_name(self, queryset, name, value):
        """Logs with a counterpart whose organization (a directory provider or a typed name) contains every word."""
        for word in unicodedata.normalize("NFKC", value).split():
            queryset = queryset.filter(Exists(self._counterparts_named(word)))
        return queryset

    def _counterparts_named(self, word: str):
        """Counterparts whose organization contains the word: a directory provider so named (found among
        the providers first, then its counterparts through their provider index) or a typed name. One
        OR over the join made PostgreSQL match both texts of every counterpart of every office."""
        providers = Provider.objects.filter(name__icontains=word).values("pk")
        return Counterpart.objects.filter(contact_log=OuterRef("pk")).filter(
            Q(provider__in=providers) | Q(organization_name__icontains=word)
        )

    def filter_client_name(self, queryset, name, value):
        """Logs of any of the office's clients whose name or フリガナ contains the words."""
        matching = client_search(self.office, value, limit=None).values("pk")
        return queryset.filter(client__in=matching)

    def filter_words(self, queryset, name, value):
        """Every word in the summary, the follow-up or a counterpart's organization name."""
        for word in unicodedata.normalize("NFKC", value).split():
            named = self._counterparts_named(word)
            follow_up = FollowUp.objects.filter(contact_log=OuterRef("pk"), office=self.office, action__icontains=word)
            queryset = queryset.filter(Q(report_summary__icontains=word) | Exists(follow_up) | Exists(named))
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS[value][1])

    def filter_nothing(self, queryset, name, value):
        """The page size is the view's business; it is here to be validated and shown with the rest."""
        return queryset
