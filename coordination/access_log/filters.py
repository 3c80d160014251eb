"""The access log's filters: person, client, action, date range, refused only; the office for the system admin."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from accounts.models import Office, User
from audit.models import AccessEvent, Action, Outcome
from audit.selectors import people_condition
from coordination.access_log.selectors import office_condition
from coordination.access_log.targets import REFUSED_ACTIONS, client_condition
from coordination.clients.forms import resolve_typed_client
from coordination.clients.models import Client
from coordination.filters import ALL, JapaneseDateFilter
from coordination.forms import chosen_pk, with_long_selects


class _AccessLogFilterForm(forms.Form):
    office = None  # the viewer's office, whose clients a typed name is looked up among

    def clean(self):
        data = super().clean()
        typed = (data.get("client_name") or "").strip()
        if typed:  # typed without JavaScript: the one client it names
            try:
                if self.office is None:
                    raise ValidationError("相談対象者は事業所の利用者だけが選べます。")
                data["client"] = resolve_typed_client(self.office, typed)
            except ValidationError as error:
                self.add_error("client_name", error)
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "期間の終わりは始まりと同じ日か後の日にしてください。")
        return data


def _day_start(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class AccessLogFilter(django_filters.FilterSet):
    """A supervisor reads their office's rows (`office_condition`); with a client chosen, every row
    about that client, whoever it was (a refusal of someone of another office included). A client is
    one of the viewer's office: another office's id is an invalid choice and the list shows nothing.
    The system admin reads every office's rows and may choose one."""

    PAGE_SIZE = 100

    office = django_filters.ModelChoiceFilter(
        label="事業所", queryset=Office.objects.none(), method="filter_office", empty_label="すべての事業所"
    )
    person = django_filters.ModelChoiceFilter(
        label="利用者", queryset=User.objects.none(), method="filter_person", empty_label=ALL
    )
    client = django_filters.ModelChoiceFilter(
        label="相談対象者", queryset=Client.objects.none(), method="filter_client", empty_label=ALL
    )
    # Without JavaScript: a typed name, resolved to one client by the form (the picker searches instead).
    client_name = django_filters.CharFilter(label="相談対象者（氏名・フリガナ）", method="filter_nothing")
    action = django_filters.ChoiceFilter(label="操作", choices=Action.choices, empty_label=ALL)
    refused = django_filters.BooleanFilter(label="拒否・失敗だけ", method="filter_refused", widget=forms.CheckboxInput)
    date_from = JapaneseDateFilter(label="期間（から）", method="filter_from")
    date_to = JapaneseDateFilter(label="期間（まで）", method="filter_to")

    class Meta:
        model = AccessEvent
        fields = []
        form = _AccessLogFilterForm

    def __init__(self, data=None, queryset=None, *, office, all_offices: bool, today, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.today = today
        self.all_offices = all_offices
        self.scope = None if all_offices else office_condition(office)
        if all_offices:
            self.filters["office"].queryset = Office.objects.order_by("pk")
            people = User.objects.order_by("office", "last_name", "first_name", "username")
        else:
            del self.filters["office"]
            people = User.objects.filter(office=office).order_by("last_name", "first_name", "username")
        self.filters["person"].queryset = people
        # Clients of the viewer's office only: the admin reads clients of their own office alone. The
        # select holds the chosen one alone (the picker searches client_lookup as the user types).
        clients = Client.objects.for_office(office) if office else Client.objects.none()
        chosen = chosen_pk((data or {}).get("client"))
        self.filters["client"].queryset = clients.filter(pk=chosen) if chosen else clients.none()
        self.form.office = office
        for name, message in [
            ("office", "事業所は一覧から選んでください。"),
            ("person", "利用者は一覧から選んでください。"),
            ("client", "相談対象者は一覧から選んでください（この事業所の方だけを選べます）。"),
            ("action", "操作は一覧から選んでください。"),
        ]:
            if name in self.form.fields:
                self.form.fields[name].error_messages["invalid_choice"] = message
        self.form.fields["person"].label_from_instance = lambda user: (
            f"{user}（{user.username}）" if str(user) != user.username else user.username
        )
        self.form.fields["client"].label_from_instance = lambda client: (
            f"{client.name}（{client.name_kana}）" if client.name_kana else client.name
        )
        with_long_selects(self.form)

    @property
    def qs(self):
        """Nothing while a filter is in error (the page says which); the viewer's rows otherwise."""
        if self.is_bound and not self.form.is_valid():
            return self.queryset.none()
        events = super().qs
        if self.scope is not None and not (self.is_bound and self.form.cleaned_data.get("client")):
            events = events.filter(self.scope)
        return events

    def filter_nothing(self, queryset, name, value):
        """The typed name is resolved to `client` by the form."""
        return queryset

    def filter_office(self, queryset, name, value):
        return queryset.filter(office_condition(value))

    def filter_person(self, queryset, name, value):
        return queryset.filter(people_condition(User.objects.filter(pk=value.pk)))

    def filter_client(self, queryset, name, value):
        return queryset.filter(client_condition(value))

    def filter_refused(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(outcome=Outcome.REFUSED) | Q(action__in=REFUSED_ACTIONS))

    def filter_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_day_start(value + timedelta(days=1)))
