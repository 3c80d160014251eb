"""Entering, reading and editing contact logs (相談・支援・活動記録)."""
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from accounts.access import office_of
from tabular.dates import parse_date
from common.forms import add_service_errors
from tabular.history import History
from tabular.wareki import format_date

from .. import selectors, services
from ..forms import COUNTERPART_PREFIX, NO_CLIENT, ContactLogForm, CounterpartFormSet, LogChoices
from ..history import contact_log_history, differences, snapshot_of_entry, snapshot_of_log

# Drafts the browser keeps while a form is typed in; a saved form's key is cleared on the next page.
SAVED_DRAFTS = "saved_log_drafts"
NEW_LOG_DRAFT = "log-new"


def _edit_draft(log) -> str:
    return f"log-{log.pk}-edit"


def _now_rounded() -> datetime:
    """Now, rounded to the nearest 5 minutes, as the start time of a call being logged."""
    now = timezone.localtime()
    minutes = (now.minute + 2) // 5 * 5
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=minutes)


def _drafts_to_clear(request) -> list[str]:
    return request.session.pop(SAVED_DRAFTS, [])


def _mark_draft_saved(request, key: str) -> None:
    request.session[SAVED_DRAFTS] = [*request.session.get(SAVED_DRAFTS, []), key]


def _with_extra_counterpart(data):
    """The posted form again with one more empty counterpart row (the add button without JavaScript)."""
    data = data.copy()
    total = f"{COUNTERPART_PREFIX}-TOTAL_FORMS"
    data[total] = str(int(data.get(total) or 0) + 1)
    return data


def _form_page(request, *, form, formset, log=None, draft_key: str, conflict=None, status=200):
    context = {
        "form": form,
        "formset": formset,
        "activity_groups": form.choices.activity_groups(),
        "log": log,
        "draft_key": draft_key,
        # A page rendered after a POST already shows what was typed; only a fresh page restores a draft.
        "restore_draft": request.method == "GET",
        "clear_drafts": _drafts_to_clear(request),
        "conflict": conflict,
    }
    return render(request, "coordination/logs/form.html", context, status=status)


@login_required
@permission_required("coordination.add_contactlog", raise_exception=True)
def log_create(request):
    """A new log; "save and add another" comes back here with the same date and client."""
    office = office_of(request)
    choices = LogChoices()
    if request.method == "POST":
        data = _with_extra_counterpart(request.POST) if "add_counterpart" in request.POST else request.POST
        form = ContactLogForm(data, office=office, choices=choices)
        formset = CounterpartFormSet(data, choices=choices)
        if "add_counterpart" in request.POST:
            return _form_page(request, form=form, formset=formset, draft_key=NEW_LOG_DRAFT)
        if form.is_valid() and formset.is_valid():
            try:
                log = services.contact_log_create(
                    office=office, coordinator=request.user, counterparts=formset.entries, **form.log_fields()
                )
            except ValidationError as error:
                add_service_errors(form, error, formsets={"counterparts": formset})
            else:
                _mark_draft_saved(request, NEW_LOG_DRAFT)
                summary = f"{format_date(log.occurred_on)} {log.method.label}"
                messages.success(
                    request,
                    format_html('記録を保存しました（{}）。<a href="{}">保存した記録を見る</a>', summary,
                                reverse("log_detail", args=[log.pk])),
                )
                if "save_and_add" in request.POST:
                    keep = {"date": log.occurred_on.isoformat(), "client": log.client_id or NO_CLIENT}
                    return redirect(f"{reverse('log_create')}?{urlencode(keep)}")
                return redirect("log_detail", pk=log.pk)
        return _form_page(request, form=form, formset=formset, draft_key=NEW_LOG_DRAFT)

    now = _now_rounded()
    initial = {"occurred_on": now.date(), "started_at": now.time()}
    try:
        if request.GET.get("date"):
            initial["occurred_on"] = parse_date(request.GET["date"])
    except ValidationError:
        pass
    if request.GET.get("client"):
        initial["client"] = request.GET["client"]
    form = ContactLogForm(initial=initial, office=office, choices=choices)
    if initial.get("client") not in dict(form.fields["client"].choices):
        form.initial.pop("client", None)
    # Date and time are filled in: a call is logged starting from whom it was about.
    form.fields["client"].widget.attrs["autofocus"] = True
    formset = CounterpartFormSet(initial=[{}], choices=choices)
    return _form_page(request, form=form, formset=formset, draft_key=NEW_LOG_DRAFT)


@login_required
@permission_required("coordination.view_contactlog", raise_exception=True)
def log_detail(request, pk):
    """One log with its counterparts, activity types and change history."""
    log = get_object_or_404(selectors.log_for_page(office_of(request)), pk=pk)
    entries = contact_log_history(log)
    context = {
        "log": log,
        "history": History(entries, len(entries)),
        "can_edit": request.user.has_perm("coordination.change_contactlog"),
        "clear_drafts": _drafts_to_clear(request),
    }
    return render(request, "coordination/logs/detail.html", context)


@login_required
@permission_required("coordination.change_contactlog", raise_exception=True)
def log_update(request, pk):
    """Edits a log; a save based on an older version is refused and shows what the other person saved."""
    office = office_of(request)
    log = get_object_or_404(selectors.log_for_page(office), pk=pk)
    choices = LogChoices()
    if request.method == "POST":
        data = _with_extra_counterpart(request.POST) if "add_counterpart" in request.POST else request.POST
        form = ContactLogForm(data, office=office, choices=choices)
        formset = CounterpartFormSet(data, choices=choices)
        if "add_counterpart" in request.POST:
            return _form_page(request, form=form, formset=formset, log=log, draft_key=_edit_draft(log))
        if form.is_valid() and formset.is_valid():
            try:
                services.contact_log_update(
                    log=log, expected_version=form.cleaned_data["version"] or 0, user=request.user,
                    counterparts=formset.entries, **form.log_fields(),
                )
            except services.ContactLogConflict as conflict:
                return _conflict_page(request, conflict.current, form=form, formset=formset, choices=choices)
            except ValidationError as error:
                add_service_errors(form, error, formsets={"counterparts": formset})
            else:
                _mark_draft_saved(request, _edit_draft(log))
                messages.success(request, "記録の変更を保存しました。")
                return redirect("log_detail", pk=log.pk)
        return _form_page(request, form=form, formset=formset, log=log, draft_key=_edit_draft(log))

    form = ContactLogForm(initial=ContactLogForm.initial_for(log), office=office, choices=choices)
    formset = CounterpartFormSet(initial=CounterpartFormSet.initial_for(log), choices=choices)
    return _form_page(request, form=form, formset=formset, log=log, draft_key=_edit_draft(log))


def _conflict_page(request, current, *, form, formset, choices):
    """The editor's values stay in the form, now based on the current version; theirs are listed above."""
    current = selectors.log_for_page(current.office_id).get(pk=current.pk)
    theirs = snapshot_of_log(current)
    mine = snapshot_of_entry(log=current, fields=form.log_fields(), counterparts=formset.entries)
    latest = current.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = ContactLogForm(data, office=current.office, choices=choices)
    formset = CounterpartFormSet(data, choices=choices)
    form.is_valid()
    form.add_error(None, services.LOG_CONFLICT)
    conflict = {
        "changes": differences(theirs, mine),
        "who": str(latest.history_user) if latest and latest.history_user else None,
        "when": latest.history_date if latest else None,
    }
    return _form_page(
        request, form=form, formset=formset, log=current, draft_key=_edit_draft(current), conflict=conflict,
        status=409,
    )
