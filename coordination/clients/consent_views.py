"""情報共有の同意: record a consent the family gave, and its withdrawal, from the client's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.access import office_of
from common.forms import add_service_errors
from common.services import EditConflict
from coordination.clients import selectors, services
from coordination.clients.forms import ConsentForm, ConsentWithdrawForm
from coordination.clients.models import Client, Consent
from directory.models import ProviderCategory
from tabular.conflicts import conflict_with
from tabular.history import FieldChange
from tabular.wareki import format_date


def _client(request, pk) -> Client:
    """The office's client, 404 for another office's."""
    return get_object_or_404(Client.objects.for_office(office_of(request)), pk=pk)


def _next_url(request) -> str | None:
    """`?next=`, when it is a page of this site (else None: back to the client's page)."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return None


@login_required
@permission_required("coordination.add_consent", raise_exception=True)
def consent_create(request, pk):
    """Records a consent; `?category=<code>` ticks that kind, `?next=` returns to the page that asked for it."""
    client = _client(request, pk)
    next_url = _next_url(request)
    initial = {"given_on": timezone.localdate()}
    category_code = request.GET.get("category", "")
    if category_code:
        initial["categories"] = list(ProviderCategory.objects.filter(code=category_code[:64]))
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent = services.consent_create(
                client=client,
                recorded_by=request.user,
                given_on=data["given_on"],
                expires_on=data["expires_on"],
                categories=list(data["categories"]),
                given_by=data["given_by"],
                method=data["method"],
                scope_note=data["scope_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            kinds = "・".join(category.name for category in data["categories"])
            messages.success(request, f"{client.name} さんの情報共有の同意（{kinds}）を記録しました。")
            if next_url:
                # Not redirect(): it would take a bare word for a URL name.
                return HttpResponseRedirect(next_url)
            return redirect(f"{reverse('client_detail', args=[client.pk])}#consent-{consent.pk}")
    context = {"client": client, "form": form, "next_url": next_url}
    return render(request, "coordination/clients/consent_form.html", context)


@login_required
@permission_required("coordination.change_consent", raise_exception=True)
def consent_withdraw(request, pk, consent_pk):
    """Records a withdrawal (GET: the form with the version read; POST); once withdrawn, the page lists
    the open referrals the consent covered, now flagged 同意撤回."""
    client = _client(request, pk)
    consent = get_object_or_404(selectors.consents_of(client), pk=consent_pk)
    form = ConsentWithdrawForm(
        request.POST or None, initial={"withdrawn_on": timezone.localdate(), "version": consent.version}
    )
    if request.method == "POST" and consent.withdrawn_on is None and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_withdraw(
                consent=consent,
                expected_version=data["version"],
                user=request.user,
                withdrawn_on=data["withdrawn_on"],
                note=data["note"],
            )
        except EditConflict as conflict:
            return _withdraw_conflict_page(request, client, conflict.current, form=form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{client.name} さんの情報共有の同意の撤回を記録しました。")
            return redirect("consent_withdraw", pk=client.pk, consent_pk=consent.pk)
    return render(request, "coordination/clients/consent_withdraw.html", _withdraw_context(client, consent, form))


def _withdraw_context(client, consent: Consent, form, **extra) -> dict:
    """The form while the consent is in force; once withdrawn, the open referrals it covered (now flagged)."""
    withdrawn = consent.withdrawn_on is not None
    return {
        "client": client,
        "consent": consent,
        "form": form,
        "withdrawn": withdrawn,
        "flagged": selectors.referrals_under(consent) if withdrawn else [],
        **extra,
    }


def _withdraw_conflict_page(request, client, current: Consent, *, form):
    """Someone changed the consent meanwhile: what is saved now, and the form again at the new version."""
    changes = []
    if current.withdrawn_on is not None:
        typed = form.cleaned_data["withdrawn_on"]
        changes.append(FieldChange("撤回日", format_date(current.withdrawn_on), format_date(typed)))
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = ConsentWithdrawForm(data)
    conflict = conflict_with(current, what="この同意", changes=changes)
    context = _withdraw_context(client, current, form, conflict=conflict)
    return render(request, "coordination/clients/consent_withdraw.html", context, status=409)
