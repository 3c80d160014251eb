"""周知活動・会議・研修・その他 (report sections 6–8): list, record, show, edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.access import office_of
from common.drafts import mark_draft_saved
from common.forms import add_service_errors
from common.services import EditConflict
from coordination.events import selectors, services
from coordination.events.filters import EventFilter
from coordination.events.forms import EventForm
from coordination.events.history import event_history
from coordination.events.kinds import LAYOUTS, MIXED_COLUMN_LABELS, MIXED_COLUMNS, fact_rows, full_date
from coordination.events.models import EventKind
from tabular.conflicts import conflict_with, form_differences
from tabular.history import limit_for

PAGE_SIZE = 50


def _event(request, pk):
    """The office's event, 404 for another office's."""
    return get_object_or_404(selectors.events_with_log(office_of(request)), pk=pk)


def _draft_name(layout, event=None) -> str:
    """The name of the form's browser draft (common.drafts): each kind has its own fields."""
    return f"event-{layout.kind.value}:{event.pk if event else 'new'}"


def _count_as(form):
    data = form.cleaned_data
    if not data.get("count_as_log"):
        return None
    return services.LogCount(method=data["log_method"], activity_type=data["log_activity_type"])


@login_required
@permission_required("coordination.view_event", raise_exception=True)
def event_list(request):
    """The office's events, filtered by kind, fiscal period and words, newest first by default."""
    office = office_of(request)
    event_filter = EventFilter(
        request.GET,
        queryset=selectors.events_for_list(office),
        fiscal_years=selectors.event_fiscal_years(office, today=timezone.localdate()),
    )
    page = Paginator(event_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    kind = event_filter.form.cleaned_data.get("kind")
    if kind:
        layout = LAYOUTS[EventKind(kind)]
        columns = [(column, layout.column_label(column)) for column in layout.columns]
    else:
        columns = [(column, MIXED_COLUMN_LABELS[column]) for column in MIXED_COLUMNS]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": event_filter,
        "page": page,
        "columns": columns,
        "query": query.urlencode(),
        "kinds": EventKind.choices,
        "can_add": request.user.has_perm("coordination.add_event"),
    }
    return render(request, "coordination/events/list.html", context)


@login_required
@permission_required("coordination.view_event", raise_exception=True)
def event_detail(request, pk):
    event = _event(request, pk)
    layout = LAYOUTS[EventKind(event.kind)]
    context = {
        "event": event,
        "layout": layout,
        "facts": fact_rows(event, layout),
        "date_label": full_date(event.held_on) + (f"～{full_date(event.ends_on)}" if event.ends_on else ""),
        "log": event.contact_log,
        "history": event_history(event, limit=limit_for(request)),
        "can_change": request.user.has_perm("coordination.change_event"),
    }
    return render(request, "coordination/events/detail.html", context)


@login_required
@permission_required("coordination.add_event", raise_exception=True)
def event_create_view(request):
    """A new event of the kind in `?kind=`; without one, the choice of kinds."""
    office = office_of(request)
    kind = request.GET.get("kind", "")
    if kind not in EventKind.values:
        return render(request, "coordination/events/choose_kind.html", {"kinds": EventKind.choices})
    layout = LAYOUTS[EventKind(kind)]
    form = EventForm(
        request.POST or None, layout=layout, initial=EventForm.initial_for(layout, today=timezone.localdate())
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                office=office, user=request.user, kind=layout.kind, count_as=_count_as(form), **form.event_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            mark_draft_saved(request, _draft_name(layout))
            messages.success(request, f"{layout.kind.label}「{event.name}」を記録しました。")
            return redirect("event_detail", pk=event.pk)
    context = {"form": form, "layout": layout, "event": None, "draft_name": _draft_name(layout)}
    return render(request, "coordination/events/form.html", context)


@login_required
@permission_required("coordination.change_event", raise_exception=True)
def event_update_view(request, pk):
    event = _event(request, pk)
    layout = LAYOUTS[EventKind(event.kind)]
    form = EventForm(
        request.POST or None, layout=layout, initial=EventForm.initial_for(layout, event, today=timezone.localdate())
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                event=event,
                user=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                expected_log_version=form.cleaned_data["log_version"],
                count_as=_count_as(form),
                **form.event_fields(),
            )
        except EditConflict:
            return _event_conflict_page(request, pk, form=form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            mark_draft_saved(request, _draft_name(layout, event))
            messages.success(request, f"{layout.kind.label}「{event.name}」を保存しました。")
            return redirect("event_detail", pk=event.pk)
    context = {"form": form, "layout": layout, "event": event, "draft_name": _draft_name(layout, event)}
    return render(request, "coordination/events/form.html", context)


def _event_conflict_page(request, pk, *, form):
    """A stale save: the editor's values stay in the form, now based on the saved versions; theirs are listed above."""
    current = _event(request, pk)
    layout = LAYOUTS[EventKind(current.kind)]
    today = timezone.localdate()
    theirs = EventForm(layout=layout, initial=EventForm.initial_for(layout, current, today=today))
    data = request.POST.copy()
    data["version"] = str(current.version)
    data["log_version"] = str(current.contact_log.version) if current.contact_log_id else ""
    context = {
        "form": EventForm(data, layout=layout, initial=EventForm.initial_for(layout, current, today=today)),
        "layout": layout,
        "event": current,
        "draft_name": _draft_name(layout, current),
        "conflict": conflict_with(current, what=f"この{layout.kind.label}", changes=form_differences(theirs, form)),
    }
    return render(request, "coordination/events/form.html", context, status=409)
