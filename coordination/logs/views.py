"""Contact logs (相談・支援・活動記録): the list and its export, entering, reading and editing."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max, Min
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from accounts.access import office_of
from audit.services import access_log_note
from common.drafts import mark_draft_saved
from common.forms import add_service_errors
from coordination.fiscal import fiscal_year_of
from coordination.followups import services as follow_up_services
from coordination.import_kinds import IMPORT_PERMISSIONS
from coordination.logs import selectors, services
from coordination.logs.filters import ContactLogFilter
from coordination.logs.forms import COUNTERPART_PREFIX, NO_CLIENT, ContactLogForm, CounterpartFormSet, LogChoices
from coordination.logs.history import contact_log_history, differences, snapshot_of_entry, snapshot_of_log
from coordination.logs.resources import ContactLogResource
from tabular.dates import parse_date
from tabular.history import History
from tabular.spreadsheets import CONTENT_TYPES, spreadsheet_response
from tabular.wareki import format_date

# The names of the log form's browser drafts (common.drafts): cleared on the page after a save.
NEW_LOG_DRAFT = "log-new"


def _edit_draft(log) -> str:
    return f"log-{log.pk}-edit"


def _now_rounded() -> datetime:
    """Now, rounded to the nearest 5 minutes, as the start time of a call being logged."""
    now = timezone.localtime()
    minutes = (now.minute + 2) // 5 * 5
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=minutes)


def _with_extra_counterpart(data):
    """The posted form again with one more empty counterpart row (the add button without JavaScript)."""
    data = data.copy()
    total = f"{COUNTERPART_PREFIX}-TOTAL_FORMS"
    count = data.get(total) or "0"
    # A hand-made count (letters, thousands of digits) starts again from none; the formset checks the rest.
    data[total] = str((int(count) if count.isascii() and count.isdigit() and len(count) <= 4 else 0) + 1)
    return data


# The follow-up services' field names, as the log form calls them.
_FOLLOW_UP_FIELDS = {"action": "follow_up_action", "due_on": "follow_up_due_on", "assignee": "follow_up_action"}


def _save_follow_up(request, log, form) -> None:
    """The log form's 次の対応 and 対応期限 as the log's follow-up; its errors come under those fields."""
    try:
        follow_up_services.log_follow_up_save(log=log, user=request.user, **form.follow_up_fields())
    except follow_up_services.FollowUpConflict:
        raise
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationError({"follow_up_action": error.messages}) from error
        raise ValidationError(
            {_FOLLOW_UP_FIELDS.get(name, name): messages for name, messages in error.message_dict.items()}
        ) from error


def _follow_up_conflict(request, form, current):
    """The log form again with a note on its follow-up: someone changed it since the form was read."""
    data = form.data.copy()
    data["follow_up_version"] = str(current.version)
    form = ContactLogForm(data, office=office_of(request), choices=form.choices)
    form.is_valid()
    form.add_error("follow_up_action", follow_up_services.FollowUpConflict.message)
    form.add_error(
        "follow_up_action",
        f"いまの次の対応：{current.action}"
        + (f"（期限 {format_date(current.due_on)}）" if current.due_on else "")
        + (f"（{format_date(current.done_on)} 完了）" if current.done_on else ""),
    )
    return form


def _form_page(request, *, form, formset, log=None, draft_key: str, conflict=None, status=200):
    context = {
        "form": form,
        "formset": formset,
        "activity_groups": form.choices.activity_groups(),
        "log": log,
        "draft_key": draft_key,
        # A page rendered after a POST already shows what was typed; only a fresh page restores a draft.
        "restore_draft": request.method == "GET",
        "conflict": conflict,
    }
    return render(request, "coordination/logs/form.html", context, status=status)


def _after_save(request, log):
    """The saved log's page, or with 「保存してニーズ・課題として記録」 the form recording it as a need."""
    if "save_and_need" in request.POST and request.user.has_perm("coordination.add_need"):
        return redirect("need_from_log", log_pk=log.pk)
    return redirect("log_detail", pk=log.pk)


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
                # The log and its follow-up are saved together or not at all.
                with transaction.atomic():
                    log = services.contact_log_create(
                        office=office, coordinator=request.user, counterparts=formset.entries, **form.log_fields()
                    )
                    _save_follow_up(request, log, form)
            except ValidationError as error:
                add_service_errors(form, error, formsets={"counterparts": formset})
            else:
                mark_draft_saved(request, NEW_LOG_DRAFT)
                summary = f"{format_date(log.occurred_on)} {log.method.label}"
                messages.success(
                    request,
                    format_html(
                        '記録を保存しました（{}）。<a href="{}">保存した記録を見る</a>',
                        summary,
                        reverse("log_detail", args=[log.pk]),
                    ),
                )
                if "save_and_add" in request.POST:
                    keep = {"date": log.occurred_on.isoformat(), "client": log.client_id or NO_CLIENT}
                    return redirect(f"{reverse('log_create')}?{urlencode(keep)}")
                return _after_save(request, log)
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
        "can_add_follow_up": request.user.has_perm("coordination.add_followup"),
        "can_change_follow_up": request.user.has_perm("coordination.change_followup"),
        "today": timezone.localdate(),
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
                with transaction.atomic():
                    saved = services.contact_log_update(
                        log=log,
                        expected_version=form.cleaned_data["version"] or 0,
                        user=request.user,
                        counterparts=formset.entries,
                        **form.log_fields(),
                    )
                    _save_follow_up(request, saved, form)
            except services.ContactLogConflict as conflict:
                return _log_conflict_page(request, conflict.current, form=form, formset=formset, choices=choices)
            except follow_up_services.FollowUpConflict as conflict:
                form = _follow_up_conflict(request, form, conflict.current)
                return _form_page(request, form=form, formset=formset, log=log, draft_key=_edit_draft(log), status=409)
            except ValidationError as error:
                add_service_errors(form, error, formsets={"counterparts": formset})
            else:
                mark_draft_saved(request, _edit_draft(log))
                messages.success(request, "記録の変更を保存しました。")
                return _after_save(request, log)
        return _form_page(request, form=form, formset=formset, log=log, draft_key=_edit_draft(log))

    form = ContactLogForm(
        initial=ContactLogForm.initial_for(log, follow_up_services.log_follow_up(log)), office=office, choices=choices
    )
    formset = CounterpartFormSet(initial=CounterpartFormSet.initial_for(log), choices=choices)
    return _form_page(request, form=form, formset=formset, log=log, draft_key=_edit_draft(log))


def _log_conflict_page(request, current, *, form, formset, choices):
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
        request,
        form=form,
        formset=formset,
        log=current,
        draft_key=_edit_draft(current),
        conflict=conflict,
        status=409,
    )


EXPORT_TITLE = "相談支援記録"


FISCAL_YEARS_OFFERED = 6


# The filters always in sight; the others fold away until used.
MAIN_FILTERS = ("date_from", "date_to", "quarter", "q")


MORE_FILTERS = (
    "coordinator",
    "client",
    "client_name",
    "support_kind",
    "method",
    "activity_type",
    "counterpart_category",
    "provider",
    "provider_name",
)


def _log_filter(request, office, *, as_lists: bool = False) -> ContactLogFilter:
    # This fiscal year and five before (older logs are still found by dates): no query for the choices.
    this_year = fiscal_year_of(timezone.localdate())
    return ContactLogFilter(
        request.GET,
        queryset=selectors.contact_logs_for_list(office, as_lists=as_lists),
        office=office,
        fiscal_years=list(range(this_year, this_year - FISCAL_YEARS_OFFERED, -1)),
    )


@login_required
@permission_required("coordination.view_contactlog", raise_exception=True)
def log_list(request):
    """The office's contact logs, filtered and sorted, 50 (or 100, 200) a page."""
    log_filter = _log_filter(request, office_of(request), as_lists=True)
    log_filter.is_valid()
    paginator = Paginator(log_filter.qs, log_filter.page_size)
    page = paginator.get_page(request.GET.get("page"))
    form = log_filter.form
    context = {
        "filter": log_filter,
        "main_fields": [form[name] for name in MAIN_FILTERS],
        # The provider select only when a link chose one (it lists no other); the name field otherwise.
        "more_fields": [form[name] for name in MORE_FILTERS if name != "provider" or log_filter.provider_chosen],
        "order_fields": [form["sort"], form["per_page"]],
        "more_filters_used": any(request.GET.get(name) for name in MORE_FILTERS),
        "page": page,
        "can_add": request.user.has_perm("coordination.add_contactlog"),
        "can_import": request.user.has_perms(IMPORT_PERMISSIONS),
    }
    return render(request, "coordination/logs/list.html", context)


@login_required
@permission_required("coordination.view_contactlog", raise_exception=True)
def log_export(request, file_format):
    """Every log the list's filters select (all pages, in the list's order) as .xlsx or .csv."""
    if file_format not in CONTENT_TYPES:
        raise Http404("その形式には対応していません。")
    log_filter = _log_filter(request, office_of(request))
    if not log_filter.is_valid():
        messages.error(request, "絞り込みの条件に誤りがあるため、書き出せませんでした。条件を直してください。")
        return redirect(f"{reverse('log_list')}?{request.GET.urlencode()}")
    logs = log_filter.qs
    dataset = ContactLogResource().export(queryset=logs)
    dataset.title = EXPORT_TITLE
    access_log_note(request, rows=len(dataset))
    return spreadsheet_response(dataset, file_format, filename=_file_name(log_filter, logs, file_format))


def _file_name(log_filter: ContactLogFilter, logs, file_format: str) -> str:
    """`相談支援記録_2025-04-01_2025-06-30.xlsx`: the filtered period, else the logs' own first and last day."""
    start, end = log_filter.period
    if start is None or end is None:
        bounds = logs.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
        start, end = start or bounds["first"], end or bounds["last"]
    if start is None or end is None:
        return f"{EXPORT_TITLE}.{file_format}"
    return f"{EXPORT_TITLE}_{start:%Y-%m-%d}_{end:%Y-%m-%d}.{file_format}"
