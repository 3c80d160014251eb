"""The log list's filters and the log form write their selects in Python (LongSelect): the markup Django's would."""

import pytest
from django import forms

from coordination.logs.filters import ContactLogFilter
from coordination.logs.forms import ContactLogForm, CounterpartForm, LogChoices
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from directory.models import CounterpartCategory
from directory.widgets import LongSelect
from tests.directory.test_widgets import _markup

pytestmark = pytest.mark.django_db


def same_as_djangos(form) -> list[str]:
    """The names of the form's LongSelect fields, after checking each renders as Django's Select would."""
    names = [name for name, field in form.fields.items() if isinstance(field.widget, LongSelect)]
    for name in names:
        ours = str(form[name])
        form.fields[name].widget.__class__ = forms.Select
        djangos = str(form[name])
        form.fields[name].widget.__class__ = LongSelect
        assert _markup(ours) == _markup(djangos), name
    return names


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"method": "phone", "activity_type": "listening", "counterpart_category": "party", "sort": "date"},
        {"quarter": "2025-1", "support_kind": "community", "per_page": "100", "client": "null"},
    ],
)
def test_the_log_filters_write_the_same_selects(demo_office, coordinator, data):
    log_filter = ContactLogFilter(
        data, queryset=ContactLog.objects.all(), office=demo_office, fiscal_years=[2026, 2025]
    )
    names = same_as_djangos(log_filter.form)
    assert {"method", "activity_type", "counterpart_category", "coordinator", "sort"} <= set(names)
    if data:
        assert "selected" in str(log_filter.form["method" if "method" in data else "quarter"])


def test_the_log_form_writes_the_same_selects(demo_office, coordinator):
    choices = LogChoices()
    method = ContactMethod.objects.filter(children__isnull=True).order_by("pk").last()
    data = {
        "method": str(method.pk),
        "activity_types": [str(ActivityType.objects.filter(children__isnull=True).first().pk)],
        "support_kind": "individual",
    }
    for form in [
        ContactLogForm(office=demo_office, choices=choices),
        ContactLogForm(data, office=demo_office, choices=choices),
    ]:
        assert "method" in same_as_djangos(form)
    category = CounterpartCategory.objects.filter(children__isnull=True).order_by("pk").last()
    for form in [CounterpartForm(choices=choices), CounterpartForm({"category": str(category.pk)}, choices=choices)]:
        assert same_as_djangos(form) == ["category"]
    assert f'<option value="{method.pk}" selected>' in str(
        ContactLogForm(data, office=demo_office, choices=choices)["method"]
    )


def test_the_other_lists_filters_and_forms_write_the_same_selects(demo_office, coordinator, supervisor):
    from datetime import date

    from accounts.models import Office
    from audit.models import AccessEvent
    from coordination.access_log.filters import AccessLogFilter
    from coordination.clients.filters import ClientFilter
    from coordination.clients.forms import ClientForm
    from coordination.clients.models import Client
    from coordination.events.filters import EventFilter
    from coordination.events.forms import EventForm
    from coordination.events.kinds import LAYOUTS
    from coordination.followups.filters import FollowUpFilter
    from coordination.followups.models import FollowUp
    from coordination.needs.filters import NeedFilter
    from coordination.needs.models import Need

    today = date(2025, 6, 1)
    forms_ = [
        ClientFilter({"status": "active"}, Client.objects.all(), office=demo_office, fiscal_year=2025).form,
        FollowUpFilter({}, FollowUp.objects.all(), user=coordinator, today=today).form,
        NeedFilter({}, Need.objects.all(), office=demo_office, today=today).form,
        EventFilter({"sort": "oldest"}, fiscal_years=[2025, 2024]).form,
        AccessLogFilter({}, AccessEvent.objects.all(), office=demo_office, all_offices=False, today=today).form,
        AccessLogFilter(
            {}, AccessEvent.objects.all(), office=Office.objects.first(), all_offices=True, today=today
        ).form,
        ClientForm(office=demo_office),
        ClientForm(instance=Client.objects.filter(office=demo_office).first(), office=demo_office),
        *(EventForm(layout=layout) for layout in LAYOUTS.values()),
    ]
    checked = [name for form in forms_ for name in same_as_djangos(form)]
    assert {"status", "sort", "assigned_coordinator", "district"} <= set(checked)
