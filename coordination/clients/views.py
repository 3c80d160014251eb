"""相談対象者: list, page, create and edit, and the list of clients who depend on electricity."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.access import office_of
from common.drafts import mark_draft_saved
from common.forms import add_service_errors
from common.services import EditConflict
from coordination.access_log.selectors import client_access_events
from coordination.access_log.views import access_rows, may_read_access_log
from coordination.clients import selectors, services
from coordination.clients.age_bands import age_band, age_on
from coordination.clients.filters import ClientFilter
from coordination.clients.forms import ClientForm, GuardianFormSet
from coordination.clients.history import client_history
from coordination.clients.models import Client
from coordination.fiscal import fiscal_year_label, fiscal_year_of
from coordination.import_kinds import IMPORT_PERMISSIONS
from coordination.referrals.selectors import referrals_of_client, with_referral_steps
from directory.selectors import accepting_conditions, providers_accepting
from tabular.conflicts import conflict_with, form_differences
from tabular.history import FieldChange, limit_for
from tabular.wareki import format_date, format_wareki

PAGE_SIZE = 50
READERS_SHOWN = 10


# Providers listed on a client's page; the link to the directory search shows them all.
ACCEPTING_SHOWN = 10


def _client(request, pk):
    """The office's client, 404 for another office's."""
    return get_object_or_404(selectors.client_for_page(office_of(request)), pk=pk)


def _date_with_era(day) -> str:
    """`2019年5月10日（令和元年5月10日）`, as forms show a birth date."""
    return f"{format_date(day)}（{format_wareki(day)}）" if day else ""


@login_required
@permission_required("coordination.view_client", raise_exception=True)
def client_list(request):
    """The office's clients, filtered and sorted, 50 a page."""
    office = office_of(request)
    today = timezone.localdate()
    fiscal_year = fiscal_year_of(today)
    client_filter = ClientFilter(
        request.GET or None, queryset=selectors.client_list_rows(office), office=office, fiscal_year=fiscal_year
    )
    page = Paginator(client_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "client": client,
            "band": client.age_band_for(fiscal_year),
            "age": age_on(client.birth_date, today) if client.birth_date else None,
        }
        for client in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": client_filter,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "fiscal_year_label": fiscal_year_label(fiscal_year),
        "can_add": request.user.has_perm("coordination.add_client"),
        "can_import": request.user.has_perms(IMPORT_PERMISSIONS),
    }
    return render(request, "coordination/clients/list.html", context)


@login_required
@permission_required("coordination.view_client", raise_exception=True)
def client_detail(request, pk):
    """The client's facts, guardians, consent, and every log and follow-up."""
    client = _client(request, pk)
    today = timezone.localdate()
    fiscal_year = fiscal_year_of(today)
    timeline = selectors.client_timeline(client, today=today, logs_shown=selectors.TIMELINE_LOGS)
    log_count = sum(1 for entry in timeline if entry.kind == "log")
    logs_left_out = 0
    if log_count == selectors.TIMELINE_LOGS:
        total = client.contact_logs.count()
        logs_left_out = total - log_count
        log_count = total
    referrals = list(referrals_of_client(client))
    timeline_with_steps = with_referral_steps(timeline, referrals)
    if logs_left_out:
        # The timeline ends at the oldest log shown: older follow-ups and steps are left out with the logs.
        oldest = min(entry.on for entry in timeline if entry.kind == "log")
        timeline_with_steps = [entry for entry in timeline_with_steps if entry.on >= oldest]
    procedures = list(client.procedures.all())
    age = age_on(client.birth_date, today) if client.birth_date else None
    context = {
        "client": client,
        "today": today,
        "fiscal_year_label": fiscal_year_label(fiscal_year),
        "band": client.age_band_for(fiscal_year),
        "computed_band": age_band(client.birth_date, fiscal_year),
        "age": age,
        "birth_date_label": _date_with_era(client.birth_date),
        "consent_date_label": _date_with_era(client.consent_obtained_on),
        "procedures": procedures,
        **_accepting_providers(procedures, age),
        "guardians": client.guardians.all(),
        "consents": selectors.consent_rows(client, today=today),
        "can_add_consent": request.user.has_perm("coordination.add_consent"),
        "can_change_consent": request.user.has_perm("coordination.change_consent"),
        "timeline": timeline,
        "log_count": log_count,
        "logs_left_out": logs_left_out,
        "open_follow_ups": sorted(
            (entry for entry in timeline if entry.kind == "follow_up" and entry.is_open), key=lambda entry: entry.on
        ),
        "history": client_history(client, limit=limit_for(request)),
        "can_change": request.user.has_perm("coordination.change_client"),
        "can_add_log": request.user.has_perm("coordination.add_contactlog"),
        "referrals": referrals,
        "timeline_with_steps": timeline_with_steps,
        "can_add_referral": request.user.has_perm("coordination.add_referral"),
        "can_add_follow_up": request.user.has_perm("coordination.add_followup"),
        "can_change_follow_up": request.user.has_perm("coordination.change_followup"),
    }
    if may_read_access_log(request.user):
        # この方の記録を見た人: supervisors (and the admin) only; a fixed number of queries.
        events = client_access_events(client)[:READERS_SHOWN]
        context["readers"] = access_rows(events, office=client.office)
        context["readers_limit"] = READERS_SHOWN
    return render(request, "coordination/clients/detail.html", context)


def _accepting_providers(procedures, age: int | None) -> dict:
    """The client page's "providers that accept this child's care": the first few and a search link.

    One query: a provider more than shown only says that there are more (the search counts them).
    """
    if not procedures:
        return {"accepting_providers": None}
    found = list(providers_accepting(procedures, age)[: ACCEPTING_SHOWN + 1])
    params = [("procedure", procedure.code) for procedure in procedures]
    if age is not None:
        params.append(("age", age))
    return {
        "accepting_providers": [
            {"provider": provider, "conditions": accepting_conditions(provider, procedures)}
            for provider in found[:ACCEPTING_SHOWN]
        ],
        "accepting_more": len(found) > ACCEPTING_SHOWN,
        "accepting_search_url": f"{reverse('directory:provider_list')}?{urlencode(params)}",
    }


def _client_form_page(request, *, client=None):
    """Create (client None) or edit: the form, the guardians, and the duplicate warning.

    A new client, or an edit of the name, フリガナ, birth date or a guardian's phone, is checked for
    likely duplicates; while there are any, nothing is saved until the user ticks that they are
    other people on a page that listed them all. The tick goes into the history record.
    """
    office = office_of(request)
    instance = client if client is not None else Client(office=office)
    form = ClientForm(request.POST or None, instance=instance, office=office)
    guardians = GuardianFormSet(request.POST or None, instance=instance, prefix="guardians")
    duplicates = []
    confirmation_outdated = False
    # Both validated, so the guardians' errors show together with the client's.
    if request.method == "POST" and all([form.is_valid(), guardians.is_valid()]):
        data = form.cleaned_data
        entries = guardians.guardian_entries()
        if client is None or form.has_changed_identity() or guardians.has_changed_phones():
            duplicates = selectors.likely_duplicates(
                office,
                name=data["name"],
                name_kana=data["name_kana"],
                birth_date=data["birth_date"],
                phones=[entry.phone for entry in entries],
                exclude_pk=client.pk if client else None,
            )
        candidates = [candidate.client for candidate in duplicates]
        confirmed = form.confirmed_not_duplicate_of({candidate.pk for candidate in candidates})
        if not duplicates or confirmed:
            fields = {**form.client_fields(), "guardians": entries, "not_duplicate_of": candidates}
            try:
                if client is None:
                    saved = services.client_create(office=office, user=request.user, **fields)
                else:
                    saved = services.client_update(
                        client=client, user=request.user, expected_version=data["version"] or 0, **fields
                    )
            except EditConflict as conflict:
                return _client_conflict_page(request, conflict.current, form=form, guardians=guardians)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                mark_draft_saved(request, f"client:{client.pk if client else 'new'}")
                messages.success(request, f"{saved.name} さんの情報を保存しました。")
                return redirect("client_detail", pk=saved.pk)
        elif data["confirm_not_duplicate"]:
            # Ticked, but a candidate the page did not list turned up: untick and list them all.
            confirmation_outdated = True
            form.data = form.data.copy()
            form.data.pop("confirm_not_duplicate", None)
    context = {
        "form": form,
        "guardians": guardians,
        "client": client,
        "duplicates": duplicates,
        "duplicates_shown": ",".join(str(candidate.client.pk) for candidate in duplicates),
        "confirmation_outdated": confirmation_outdated,
    }
    return render(request, "coordination/clients/form.html", context)


def _guardians_text(entries) -> str:
    """Guardians (models or GuardianEntry rows) as the conflict table lists them, in a stable order."""
    return "\n".join(sorted(f"{g.name}（{g.relationship}）{g.phone} {g.email}".strip() for g in entries))


def _client_conflict_page(request, current: Client, *, form, guardians):
    """A stale save: the editor's values stay in the form, now based on the saved version; theirs are listed above."""
    office = office_of(request)
    theirs = ClientForm(instance=current, office=office)
    changes = form_differences(theirs, form, exclude=["confirm_not_duplicate", "duplicates_shown"])
    saved_guardians = _guardians_text(current.guardians.all())
    typed_guardians = _guardians_text(guardians.guardian_entries())
    if saved_guardians != typed_guardians:
        changes.append(
            FieldChange("保護者・家族の連絡先", saved_guardians or "（なし）", typed_guardians or "（なし）")
        )
    data = request.POST.copy()
    data["version"] = str(current.version)
    context = {
        "form": ClientForm(data, instance=current, office=office),
        "guardians": GuardianFormSet(data, instance=current, prefix="guardians"),
        "client": current,
        "duplicates": [],
        "conflict": conflict_with(current, what="この相談対象者の情報", changes=changes),
    }
    return render(request, "coordination/clients/form.html", context, status=409)


@login_required
@permission_required("coordination.add_client", raise_exception=True)
def client_create_view(request):
    return _client_form_page(request)


@login_required
@permission_required("coordination.change_client", raise_exception=True)
def client_update_view(request, pk):
    return _client_form_page(request, client=_client(request, pk))


@login_required
@permission_required("coordination.view_client", raise_exception=True)
def client_power_list(request):
    """Clients on powered medical devices by district, to print for disaster preparedness."""
    office = office_of(request)
    groups = selectors.power_dependent_clients(office)
    context = {
        "groups": groups,
        "total": sum(len(group.clients) for group in groups),
        "today": timezone.localdate(),
        "office": office,
    }
    return render(request, "coordination/clients/power_list.html", context)
