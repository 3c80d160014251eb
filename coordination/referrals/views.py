"""つなぎ (referrals): start one, show it, edit it while 準備中, move it, and a supervisor's consent override."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.access import office_of
from common.drafts import mark_draft_saved
from common.forms import add_service_errors
from coordination.clients.models import Client
from coordination.followups.services import follow_up_create
from coordination.referrals import selectors, services
from coordination.referrals.forms import MoveForm, OverrideForm, ReferralForm
from coordination.referrals.history import referral_history
from coordination.referrals.models import Referral, SharedItem
from coordination.referrals.states import ReferralState, move_between, moves_from
from directory.models import Provider
from tabular.conflicts import conflict_with, form_differences
from tabular.history import limit_for


def _referral(request, pk) -> Referral:
    """The office's referral, 404 for another office's."""
    return get_object_or_404(selectors.referrals_for_page(office_of(request)), pk=pk)


def _draft_name(referral=None) -> str:
    """The name of the form's browser draft (common.drafts): `referral:new` or `referral:<pk>`."""
    return f"referral:{referral.pk if referral else 'new'}"


def _form_page(request, *, form, referral=None, conflict=None, status=200):
    context = {
        "form": form,
        "referral": referral,
        "conflict": conflict,
        "draft_key": f"tsunagu:draft:{request.user.pk}:{_draft_name(referral)}",
    }
    return render(request, "coordination/referrals/form.html", context, status=status)


@login_required
@permission_required("coordination.view_referral", raise_exception=True)
def referral_detail(request, pk):
    referral = _referral(request, pk)
    today = timezone.localdate()
    user = request.user
    can_change = user.has_perm("coordination.change_referral")
    gate = None
    if referral.state == ReferralState.DRAFT:
        consent = services.covering_consent(referral, today)
        gate = {
            "consent": consent,
            "message": None
            if consent
            else services.missing_consent_message(category=referral.organization_category, day=today),
        }
    context = {
        "referral": referral,
        "client": referral.client,
        "procedures": referral.procedures.order_by("position"),
        "shared_items": [label for value, label in SharedItem.choices if value in referral.shared_items],
        "steps": selectors.referral_steps(referral),
        "moves": moves_from(referral.state) if can_change else [],
        "gate": gate,
        "follow_ups": referral.follow_ups.select_related("assignee").order_by("done_on", "due_on", "id"),
        "history": referral_history(referral, limit=limit_for(request)),
        "can_change": can_change and referral.state == ReferralState.DRAFT,
        "can_override": user.has_perm("coordination.override_consent") and referral.state == ReferralState.DRAFT,
        "can_add_follow_up": user.has_perm("coordination.add_followup"),
        "can_change_follow_up": user.has_perm("coordination.change_followup"),
        "today": today,
    }
    return render(request, "coordination/referrals/detail.html", context)


@login_required
@permission_required("coordination.add_referral", raise_exception=True)
def referral_create(request):
    """A new referral; `?client=` and `?provider=` fill it in (from the client page or a provider's page)."""
    office = office_of(request)
    initial = {"coordinator": request.user.pk, "shared_items": [SharedItem.IDENTITY]}
    client = _prefill(Client.objects.for_office(office), request.GET.get("client"))
    provider = _prefill(Provider.objects.filter(is_active=True), request.GET.get("provider"))
    if client is not None:
        initial["client"] = client.pk
        initial["procedures"] = list(client.procedures.all())
        initial["coordinator"] = client.assigned_coordinator_id or request.user.pk
    if provider is not None:
        initial["provider"] = provider.pk
    form = ReferralForm(request.POST or None, office=office, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(office=office, created_by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            mark_draft_saved(request, _draft_name())
            messages.success(request, f"つなぎ「{referral.organization_label}」を準備中として保存しました。")
            return redirect("referral_detail", pk=referral.pk)
    return _form_page(request, form=form)


def _prefill(queryset, value):
    """The object named by a query parameter, or None for a missing, malformed or unknown one."""
    # Ids only: a long or non-ASCII "number" (e.g. "²") is no id, and int() may refuse it.
    if not value or len(value) > 18 or not (value.isascii() and value.isdigit()):
        return None
    return queryset.filter(pk=int(value)).first()


@login_required
@permission_required("coordination.change_referral", raise_exception=True)
def referral_update(request, pk):
    referral = _referral(request, pk)
    if referral.state != ReferralState.DRAFT:
        messages.error(request, services.SHARED_FROZEN)
        return redirect("referral_detail", pk=referral.pk)
    office = office_of(request)
    form = ReferralForm(request.POST or None, office=office, editing=True, initial=ReferralForm.initial_for(referral))
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_update(
                referral=referral,
                expected_version=form.cleaned_data["version"] or 0,
                user=request.user,
                **form.service_fields(),
            )
        except services.ReferralConflict as conflict:
            current = conflict.current
            theirs = ReferralForm(office=office, editing=True, initial=ReferralForm.initial_for(current))
            data = request.POST.copy()
            data["version"] = str(current.version)
            return _form_page(
                request,
                form=ReferralForm(data, office=office, editing=True, initial=ReferralForm.initial_for(current)),
                referral=current,
                conflict=conflict_with(current, what="このつなぎ", changes=form_differences(theirs, form)),
                status=409,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            mark_draft_saved(request, _draft_name(referral))
            messages.success(request, "つなぎを保存しました。")
            return redirect("referral_detail", pk=referral.pk)
    return _form_page(request, form=form, referral=referral)


@login_required
@permission_required("coordination.change_referral", raise_exception=True)
def referral_move(request, pk, target):
    """GET: the form of one move from the referral's state; POST: the move, with its log and next action."""
    referral = _referral(request, pk)
    if target not in ReferralState.values:
        raise Http404("つなぎの状態が見つかりません。")
    move = move_between(referral.state, target)
    if move is None:
        messages.error(request, services.not_allowed_message(referral, target))
        return redirect("referral_detail", pk=referral.pk)
    form = MoveForm(request.POST or None, move=move, referral=referral, initial=MoveForm.initial_for(referral))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                moved = services.referral_move(
                    referral=referral,
                    expected_version=data["version"],
                    user=request.user,
                    target=target,
                    on=data["on"],
                    note=data.get("note") or "",
                    contact=form.contact(),
                )
                if (data.get("follow_up_action") or "").strip():
                    follow_up_create(
                        office=moved.office,
                        created_by=request.user,
                        action=data["follow_up_action"],
                        due_on=data.get("follow_up_due_on"),
                        referral=moved,
                        contact_log=moved.steps.order_by("-id").first().contact_log,
                    )
        except services.ReferralConflict:
            messages.error(request, services.REFERRAL_CONFLICT)
            return redirect("referral_detail", pk=referral.pk)
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        else:
            messages.success(request, f"つなぎを「{moved.get_state_display()}」にしました。")
            return redirect("referral_detail", pk=referral.pk)
    gate = None
    if target == ReferralState.REQUESTED:
        today = timezone.localdate()
        gate = {
            "consent": services.covering_consent(referral, today),
            "message": services.missing_consent_message(category=referral.organization_category, day=today),
        }
    context = {"form": form, "referral": referral, "move": move, "gate": gate}
    return render(request, "coordination/referrals/move.html", context, status=status)


@login_required
@permission_required("coordination.override_consent", raise_exception=True)
def referral_override(request, pk):
    """A supervisor lets a 準備中 referral be sent without a covering consent, with a reason (access-logged)."""
    referral = _referral(request, pk)
    if referral.state != ReferralState.DRAFT:
        messages.error(request, services.OVERRIDE_AFTER_SENDING)
        return redirect("referral_detail", pk=referral.pk)
    form = OverrideForm(request.POST or None, initial={"version": referral.version})
    status = 200
    if request.method == "POST":
        # A refused override answers 400, so the access log records it as refused (audit.policy).
        status = 400
        if form.is_valid():
            try:
                services.referral_override_consent(
                    referral=referral,
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except services.ReferralConflict:
                messages.error(request, services.REFERRAL_CONFLICT)
                return redirect("referral_detail", pk=referral.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "同意の確認を例外として認めました。理由はつなぎの画面と変更履歴に残ります。")
                return redirect("referral_detail", pk=referral.pk)
    context = {"form": form, "referral": referral}
    return render(request, "coordination/referrals/override.html", context, status=status)
