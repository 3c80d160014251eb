"""次の対応 (follow-ups): the list and its export, adding one, changing it, closing it in place, reopening it."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import office_of
from common.forms import add_service_errors
from coordination.clients.models import Client
from coordination.exports import filtered_list_export
from coordination.followups import selectors, services
from coordination.followups.filters import FollowUpFilter
from coordination.followups.forms import FollowUpDoneForm, FollowUpForm, FollowUpVersionForm
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog
from coordination.referrals.models import Referral
from tabular.conflicts import conflict_with, form_differences

EXPORT_TITLE = "次の対応の一覧"


def _follow_up(request, pk):
    """The office's follow-up, 404 for another office's."""
    return get_object_or_404(selectors.follow_ups_for_page(office_of(request)), pk=pk)


def _next(request, default: str) -> str:
    """Where to go back to: the page the form was on, when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: anything else (another site, a word redirect() would take for a view name) is ignored.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _wants_json(request) -> bool:
    """The home page's script closes a row without leaving the page and asks for JSON."""
    return request.headers.get("Accept", "").startswith("application/json")


def _linked(request, office):
    """The client, log and referral named in `?client=&log=&referral=`; 404 when one named is not the office's.

    Ignoring it instead would save a follow-up detached from what its link named (for another
    office's client: a follow-up about no one).
    """
    source = request.POST if request.method == "POST" else request.GET
    found = {}
    for key, model in (("client", Client), ("log", ContactLog), ("referral", Referral)):
        value = source.get(key, "")
        found[key] = (
            model.objects.for_office(office).filter(pk=int(value)).first()
            if value.isascii() and value.isdigit() and len(value) < 10
            else None
        )
        if value and found[key] is None:
            raise Http404("リンク先の記録が見つかりません。")
    if found["client"] is None:
        found["client"] = (found["log"].client if found["log"] else None) or (
            found["referral"].client if found["referral"] else None
        )
    return found


def _follow_up_filter(request, office) -> FollowUpFilter:
    return FollowUpFilter(
        request.GET, queryset=selectors.follow_ups_for_page(office), user=request.user, today=timezone.localdate()
    )


@login_required
@permission_required("coordination.view_followup", raise_exception=True)
def follow_up_list(request):
    """Follow-ups: mine or the office's, open, overdue or done, 50 a page."""
    follow_up_filter = _follow_up_filter(request, office_of(request))
    follow_up_filter.is_valid()
    page = Paginator(follow_up_filter.qs, FollowUpFilter.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": follow_up_filter,
        "page": page,
        "query": query.urlencode(),
        "today": follow_up_filter.today,
        "can_change": request.user.has_perm("coordination.change_followup"),
        "can_add": request.user.has_perm("coordination.add_followup"),
        "here": request.get_full_path(),
    }
    return render(request, "coordination/followups/list.html", context)


# The list's columns, one a cell: its date columns stay dates in Excel.
EXPORT_COLUMNS = (
    "期限",
    "次の対応",
    "担当",
    "相談対象者",
    "きっかけの記録の日付",
    "つなぎ先",
    "状態",
    "対応済みの日",
    "結果",
)


def _state(follow_up: FollowUp, today: date) -> str:
    """The list's 状態 in words: 完了, 期限切れ (open past its due date) or 未完了."""
    if follow_up.done_on:
        return "完了"
    if follow_up.due_on and follow_up.due_on < today:
        return "期限切れ"
    return "未完了"


def _export_row(follow_up: FollowUp, today: date) -> list:
    return [
        follow_up.due_on,
        follow_up.action,
        str(follow_up.assignee),
        follow_up.client.name if follow_up.client else None,
        follow_up.contact_log.occurred_on if follow_up.contact_log else None,
        follow_up.referral.organization_label if follow_up.referral else None,
        _state(follow_up, today),
        follow_up.done_on,
        follow_up.outcome,
    ]


@login_required
@permission_required("coordination.view_followup", raise_exception=True)
def follow_up_export(request, file_format):
    """Every follow-up the list's filters select (all pages, in the list's order) as .xlsx or .csv."""
    follow_up_filter = _follow_up_filter(request, office_of(request))
    today = follow_up_filter.today
    return filtered_list_export(
        request,
        file_format=file_format,
        list_filter=follow_up_filter,
        list_url_name="follow_up_list",
        title=EXPORT_TITLE,
        columns=EXPORT_COLUMNS,
        row=lambda follow_up: _export_row(follow_up, today),
    )


@login_required
@permission_required("coordination.add_followup", raise_exception=True)
def follow_up_create(request):
    """A new follow-up, for the client, log or referral named in the query (`?client=&log=&referral=`)."""
    office = office_of(request)
    linked = _linked(request, office)
    form = FollowUpForm(request.POST or None, office=office, initial={"assignee": str(request.user.pk)})
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = services.follow_up_create(
                office=office,
                created_by=request.user,
                action=form.cleaned_data["action"],
                due_on=form.cleaned_data["due_on"],
                assignee=form.cleaned_data["assignee"],
                client=linked["client"],
                contact_log=linked["log"],
                referral=linked["referral"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"次の対応「{follow_up.action}」を登録しました。")
            default = reverse("client_detail", args=[follow_up.client_id]) if follow_up.client_id else None
            return redirect(_next(request, default or reverse("follow_up_list")))
    context = {"form": form, "follow_up": None, **linked, "next": _next(request, "")}
    return render(request, "coordination/followups/form.html", context)


@login_required
@permission_required("coordination.change_followup", raise_exception=True)
def follow_up_update(request, pk):
    """Changes what, by when and by whom; a save based on an older version is refused and shows theirs."""
    follow_up = _follow_up(request, pk)
    office = office_of(request)
    form = FollowUpForm(request.POST or None, office=office, initial=FollowUpForm.initial_for(follow_up))
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_update(
                follow_up=follow_up,
                expected_version=form.cleaned_data["version"] or 0,
                user=request.user,
                action=form.cleaned_data["action"],
                due_on=form.cleaned_data["due_on"],
                assignee=form.cleaned_data["assignee"],
            )
        except services.FollowUpConflict as error:
            current = error.current
            theirs = FollowUpForm(office=office, initial=FollowUpForm.initial_for(current))
            conflict = conflict_with(current, what="この次の対応", changes=form_differences(theirs, form))
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = FollowUpForm(data, office=office, initial=FollowUpForm.initial_for(current))
            form.is_valid()
            follow_up, status = _follow_up(request, pk), 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "次の対応の変更を保存しました。")
            return redirect(_next(request, reverse("follow_up_list")))
    context = {
        "form": form,
        "follow_up": follow_up,
        "client": follow_up.client,
        "log": follow_up.contact_log,
        "referral": follow_up.referral,
        "conflict": conflict,
        "next": _next(request, ""),
        "done_form": None if follow_up.is_done else _done_form(follow_up),
    }
    return render(request, "coordination/followups/form.html", context, status=status)


def _done_form(follow_up, data=None) -> FollowUpDoneForm:
    return FollowUpDoneForm(data, initial={"done_on": timezone.localdate(), "version": follow_up.version})


@require_POST
@login_required
@permission_required("coordination.change_followup", raise_exception=True)
def follow_up_done(request, pk):
    """Closes a follow-up with its outcome and date, then goes back to `next` (or answers the home page's script)."""
    follow_up = _follow_up(request, pk)
    form = _done_form(follow_up, request.POST)
    status = 400
    if form.is_valid():
        try:
            done = services.follow_up_done(
                follow_up=follow_up,
                expected_version=form.cleaned_data["version"],
                user=request.user,
                done_on=form.cleaned_data["done_on"],
                outcome=form.cleaned_data["outcome"],
            )
        except services.FollowUpConflict as conflict:
            form.add_error(None, conflict.message)
            follow_up, status = conflict.current, 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = f"次の対応「{done.action}」を完了にしました。"
            if _wants_json(request):
                return JsonResponse({"done": True, "message": message})
            messages.success(request, message)
            return redirect(_next(request, reverse("follow_up_list")))
    if _wants_json(request):
        errors = [message for messages_ in form.errors.values() for message in messages_]
        return JsonResponse({"done": False, "errors": errors}, status=status)
    context = {"follow_up": follow_up, "done_form": form, "next": _next(request, "")}
    return render(request, "coordination/followups/done.html", context, status=status)


@require_POST
@login_required
@permission_required("coordination.change_followup", raise_exception=True)
def follow_up_reopen(request, pk):
    """Opens a done follow-up again, then goes back to `next`."""
    follow_up = _follow_up(request, pk)
    form = FollowUpVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "画面を開き直してから、もう一度「再開」してください。")
    else:
        try:
            services.follow_up_reopen(
                follow_up=follow_up, expected_version=form.cleaned_data["version"], user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"次の対応「{follow_up.action}」を再開しました。")
    return redirect(_next(request, reverse("follow_up_update", args=[follow_up.pk])))
