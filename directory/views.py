"""The directory: search, a provider's page, the re-verification list, and the coordinators' edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from common.drafts import mark_draft_saved
from common.forms import add_service_errors
from common.services import EditConflict
from tabular.conflicts import conflict_with, form_differences
from tabular.history import FieldChange, limit_for

from . import postal, selectors, services
from .filters import ProviderFilter
from .forms import ProviderForm, acceptance_formset, schedule_formset
from .history import provider_history
from .models import Acceptance, MedicalCareProcedure, Provider, one_year_before
from .page_links import provider_page_links, provider_page_sections

REVERIFY_PAGE_SIZE = 50
# Who may read a provider's internal note: the office team (coordinators, supervisors), never
# ward staff. A permission name, not an import: the directory depends on no other app.
INTERNAL_NOTE_PERMISSION = "directory.view_internal_note"


def _provider(pk) -> Provider:
    try:
        return selectors.provider_for_page(pk)
    except Provider.DoesNotExist:
        raise Http404("その機関・事業所は見つかりません。") from None


def _can_verify(user) -> bool:
    return user.has_perm("directory.change_provider")


@login_required
@permission_required("directory.view_provider", raise_exception=True)
def provider_list(request):
    """Search and filters over the directory, 50 (or 100, 200) a page, stale entries flagged."""
    today = timezone.localdate()
    provider_filter = ProviderFilter(request.GET, queryset=selectors.provider_list_page_rows(today=today), today=today)
    # Bad input (an age of "abc") shows its message and no results rather than everything.
    providers = provider_filter.qs if provider_filter.is_valid() else Provider.objects.none()
    page = Paginator(providers, provider_filter.page_size).get_page(request.GET.get("page"))
    form = provider_filter.form
    context = {
        "filter": provider_filter,
        "page": page,
        "providers": page.object_list,
        "query": request.GET.get("q", ""),
        "main_fields": [form["q"], form["category"], form["area"], form["age"]],
        "check_fields": [form["has_coordinator"], form["verified"], form["inactive"]],
        "order_fields": [form["sort"], form["per_page"]],
        "searched": any(request.GET.get(name) for name in provider_filter.filters if name not in ("sort", "per_page")),
        "can_add": request.user.has_perm("directory.add_provider"),
        "can_verify": _can_verify(request.user),
    }
    return render(request, "directory/provider_list.html", context)


@login_required
@permission_required("directory.view_provider", raise_exception=True)
def provider_detail(request, pk):
    """Everything about one provider, its acceptance matrix and what other apps add for the user."""
    provider = _provider(pk)
    today = timezone.localdate()
    matrix = selectors.acceptance_matrix(provider)
    can_see_internal_note = request.user.has_perm(INTERNAL_NOTE_PERMISSION)
    link_state = (
        selectors.provider_link_state(provider, timezone.now())
        if request.user.has_perm("directory.change_provider")
        else (None, 0)
    )
    context = {
        "provider": provider,
        "matrix": matrix,
        "history": provider_history(
            provider,
            procedures=[row.procedure for row in matrix],
            include_internal_note=can_see_internal_note,
            limit=limit_for(request),
        ),
        "needs_reverification": provider.needs_reverification_on(today),
        "can_see_internal_note": can_see_internal_note,
        "can_change": request.user.has_perm("directory.change_provider"),
        "can_verify": _can_verify(request.user),
        "verified_today": provider.verified_on == today,
        "links": provider_page_links(provider, request.user),
        "pending_link": link_state[0],
        "proposals_waiting": link_state[1],
        "sections": provider_page_sections(provider, request.user),
    }
    return render(request, "directory/provider_detail.html", context)


@login_required
@permission_required("directory.view_provider", raise_exception=True)
def provider_reverify_list(request):
    """Active entries not verified for 12 months (never verified first, then the oldest), 50 a page."""
    today = timezone.localdate()
    page = Paginator(selectors.providers_to_reverify(today=today), REVERIFY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "cutoff": one_year_before(today),
        "can_verify": _can_verify(request.user),
    }
    return render(request, "directory/provider_reverify_list.html", context)


@login_required
@require_POST
@permission_required("directory.change_provider", raise_exception=True)
def provider_verify_view(request, pk):
    """ "今日確認した": records today and the user, then goes back where the button was."""
    provider = _provider(pk)
    services.provider_verify(provider=provider, user=request.user)
    messages.success(request, f"{provider.name} を今日確認済みにしました。")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        # Not redirect(): it would take a bare word like "123" for a URL name and fail to reverse it.
        return HttpResponseRedirect(next_url)
    return redirect("directory:provider_detail", pk=provider.pk)


def _provider_form_page(request, *, provider=None):
    """Create (provider None) or edit: the fields, the 14-row acceptance matrix and the opening-hour rows, saved together."""
    if provider is None:
        procedures = list(MedicalCareProcedure.objects.order_by("position"))
        matrix = []
    else:
        matrix = selectors.acceptance_matrix(provider)
        procedures = [row.procedure for row in matrix]
    data = request.POST if request.method == "POST" else None
    form = ProviderForm(data, instance=provider)
    matrix_formset = acceptance_formset(data, procedures=procedures, matrix=matrix)
    hours_formset, hours_from_text = schedule_formset(data, provider=provider)
    # All validated, so the matrix's and the hours' errors show together with the fields'.
    if request.method == "POST" and all([form.is_valid(), matrix_formset.is_valid(), hours_formset.is_valid()]):
        fields = {
            **form.provider_fields(),
            "acceptances": matrix_formset.entries(),
            "schedules": hours_formset.entries(),
            "verified": form.cleaned_data["verified"],
        }
        try:
            if provider is None:
                saved = services.provider_create(user=request.user, **fields)
            else:
                saved = services.provider_update(
                    provider=provider, user=request.user, expected_version=form.cleaned_data["version"] or 0, **fields
                )
        except EditConflict as conflict:
            return _provider_conflict_page(
                request, conflict.current, form=form, matrix_formset=matrix_formset, hours_formset=hours_formset
            )
        except ValidationError as error:
            add_service_errors(form, error, formsets={"acceptances": matrix_formset, "schedules": hours_formset})
        else:
            mark_draft_saved(request, f"provider:{provider.pk if provider else 'new'}")
            messages.success(request, f"{saved.name} の情報を保存しました。")
            warning = postal.disagreement(saved.postal_code, saved.address, saved.municipality)
            if warning:
                messages.warning(request, warning)
            return redirect("directory:provider_detail", pk=saved.pk)
    context = {
        "form": form,
        "matrix_formset": matrix_formset,
        "hours_formset": hours_formset,
        "hours_from_text": hours_from_text and data is None,
        "provider": provider,
    }
    return render(request, "directory/provider_form.html", context)


def _provider_conflict_page(request, current: Provider, *, form, matrix_formset, hours_formset):
    """A stale save: the editor's values stay in the form, now based on the saved version; theirs are listed above."""
    matrix = selectors.acceptance_matrix(current)
    changes = form_differences(ProviderForm(instance=current), form, exclude=["verified"])
    typed = {entry.procedure.pk: entry for entry in matrix_formset.entries()}
    for row in matrix:
        entry = typed.get(row.procedure.pk)
        if entry is not None and (entry.status, entry.note.strip()) != (row.status, row.note):
            changes.append(
                FieldChange(
                    f"医療的ケアの受け入れ：{row.procedure.name}",
                    _acceptance_text(row.status, row.note),
                    _acceptance_text(entry.status, entry.note.strip()),
                )
            )
    saved_hours = [row.label for row in current.schedules.order_by("position")]
    typed_hours = [entry.label for entry in hours_formset.entries()]
    if typed_hours != saved_hours:
        changes.append(FieldChange("受付・営業時間（曜日・時刻）", "、".join(saved_hours), "、".join(typed_hours)))
    data = request.POST.copy()
    data["version"] = str(current.version)
    context = {
        "form": ProviderForm(data, instance=current),
        "matrix_formset": acceptance_formset(data, procedures=[row.procedure for row in matrix], matrix=matrix),
        # The rows as typed (bound to the posted data), saved over the current version on the next save.
        "hours_formset": schedule_formset(data, provider=current)[0],
        "provider": current,
        "conflict": conflict_with(current, what="この機関・事業所の情報", changes=changes),
    }
    return render(request, "directory/provider_form.html", context, status=409)


def _acceptance_text(status: str, note: str) -> str:
    label = Acceptance(status).label
    return f"{label}（{note}）" if note else label


@login_required
@permission_required("directory.add_provider", raise_exception=True)
def provider_create_view(request):
    return _provider_form_page(request)


@login_required
@permission_required("directory.change_provider", raise_exception=True)
def provider_update_view(request, pk):
    return _provider_form_page(request, provider=_provider(pk))


@login_required
@permission_required("directory.change_provider", raise_exception=True)
def postal_lookup(request):
    """The area of a postal code as the provider form fills the address from it (JSON; no personal data)."""
    found = postal.area(request.GET.get("code", ""))
    if found is None:
        return JsonResponse({"error": "その郵便番号は見つかりません。"}, status=404)
    return JsonResponse({"code": found.code, "prefecture": found.prefecture, "city": found.city, "town": found.town})
