"""ニーズ・課題: a need's page, its form (new or edit), a dated note with a status, and recording one from a log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import office_of
from common.forms import add_service_errors
from coordination.logs.models import ContactLog
from coordination.needs import selectors, services
from coordination.needs.forms import AddToNeedForm, NeedForm, NeedMoveForm
from coordination.needs.history import need_history
from coordination.needs.models import Need
from tabular.conflicts import conflict_with, form_differences
from tabular.history import limit_for


def _need(request, pk) -> Need:
    """The office's need, 404 for another office's."""
    return get_object_or_404(selectors.needs_for_page(office_of(request)), pk=pk)


def _warn_names(request, names) -> None:
    if names:
        messages.warning(request, services.name_warning(names))


@login_required
@permission_required("coordination.view_need", raise_exception=True)
def need_detail(request, pk):
    need = _need(request, pk)
    can_change = request.user.has_perm("coordination.change_need")
    context = {
        "need": need,
        "logs": selectors.need_logs(need),
        "families": selectors.families_affected(need),
        "districts": need.districts.all(),
        "notes": selectors.need_notes(need),
        "history": need_history(need, limit=limit_for(request)),
        "can_change": can_change,
        "move_form": NeedMoveForm(office=need.office, initial={"status": need.status, "version": need.version})
        if can_change
        else None,
    }
    return render(request, "coordination/needs/detail.html", context)


def _form_page(request, *, form, need=None, log=None, add_form=None, conflict=None, status=200):
    context = {"form": form, "need": need, "log": log, "add_form": add_form, "conflict": conflict}
    return render(request, "coordination/needs/form.html", context, status=status)


@login_required
@permission_required("coordination.add_need", raise_exception=True)
def need_create(request):
    office = office_of(request)
    form = NeedForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.need_create(office=office, created_by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"ニーズ・課題「{result.need.title}」を記録しました。")
            _warn_names(request, result.names_found)
            return redirect("need_detail", pk=result.need.pk)
    return _form_page(request, form=form, status=400 if form.errors else 200)


@login_required
@permission_required("coordination.change_need", raise_exception=True)
def need_update(request, pk):
    need = _need(request, pk)
    office = office_of(request)
    form = NeedForm(request.POST or None, office=office, initial=NeedForm.initial_for(need))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.need_update(
                need=need,
                expected_version=form.cleaned_data["version"] or 0,
                user=request.user,
                **form.service_fields(),
            )
        except services.NeedConflict as conflict:
            current = conflict.current
            theirs = NeedForm(office=office, initial=NeedForm.initial_for(current))
            data = request.POST.copy()
            data["version"] = str(current.version)
            return _form_page(
                request,
                form=NeedForm(data, office=office, initial=NeedForm.initial_for(current)),
                need=current,
                conflict=conflict_with(current, what="このニーズ・課題", changes=form_differences(theirs, form)),
                status=409,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "ニーズ・課題を保存しました。")
            _warn_names(request, result.names_found)
            return redirect("need_detail", pk=need.pk)
    return _form_page(request, form=form, need=need, status=400 if form.errors else 200)


@require_POST
@login_required
@permission_required("coordination.change_need", raise_exception=True)
def need_move(request, pk):
    """A dated note with the status it leaves the need in (the form is on the need's page)."""
    need = _need(request, pk)
    form = NeedMoveForm(request.POST, office=need.office)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.need_move(
                need=need,
                expected_version=data["version"],
                user=request.user,
                status=data["status"],
                on=data["on"],
                text=data["text"],
                raised_at=data["raised_at"],
            )
        except services.NeedConflict:
            messages.error(request, services.NEED_CONFLICT)
            return redirect("need_detail", pk=need.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"経過を記録しました（{result.need.get_status_display()}）。")
            _warn_names(request, result.names_found)
            return redirect("need_detail", pk=need.pk)
    context = {
        "need": need,
        "logs": selectors.need_logs(need),
        "families": selectors.families_affected(need),
        "districts": need.districts.all(),
        "notes": selectors.need_notes(need),
        "history": need_history(need, limit=limit_for(request)),
        "can_change": True,
        "move_form": form,
    }
    return render(request, "coordination/needs/detail.html", context, status=400)


@login_required
@permission_required("coordination.add_need", raise_exception=True)
def need_from_log(request, log_pk):
    """「ニーズ・課題として記録」: the log is added to an existing need of the office, or a new need is made with it."""
    office = office_of(request)
    log = get_object_or_404(ContactLog.objects.for_office(office).select_related("method"), pk=log_pk)
    adding = request.method == "POST" and request.POST.get("action") == "add"
    creating = request.method == "POST" and not adding
    form = NeedForm(request.POST if creating else None, office=office)
    add_form = AddToNeedForm(request.POST if adding else None, office=office)
    if adding and add_form.is_valid():
        need = add_form.cleaned_data["need"]
        try:
            services.need_add_log(need=need, log=log, user=request.user)
        except ValidationError as error:
            add_service_errors(add_form, error)
        else:
            messages.success(request, f"記録をニーズ・課題「{need.title}」に追加しました。")
            return redirect("need_detail", pk=need.pk)
    if creating and form.is_valid():
        try:
            result = services.need_create(office=office, created_by=request.user, logs=[log], **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"ニーズ・課題「{result.need.title}」を記録しました。")
            _warn_names(request, result.names_found)
            return redirect("need_detail", pk=result.need.pk)
    failed = form.errors or add_form.errors
    return _form_page(request, form=form, log=log, add_form=add_form, status=400 if failed else 200)
