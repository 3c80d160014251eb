"""The provider's one-time link: the provider's own page (no account), and the office's side of it.

The provider's side: the link (`provider_link_open`) is checked, moved into the session and
answered with a redirect to `provider_link_page`, a URL without the secret (like the set-up link
of accounts: never in a Referer nor in the access log). Every use is written to the access log
here, not by the middleware: the visitor has no user, so the row names the link and the provider.
An altered or unknown link is answered with 404, an expired, used or ended one with 410 Gone, both
with a Japanese page; neither changes anything.

The office's side: send a link (the provider page), send links to every stale entry (the
re-verify page), and decide a proposal field by field.
"""

import smtplib
from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.models import Action, Outcome
from audit.services import access_event_record, access_log_note
from common.services import EditConflict

from . import selectors, services
from .forms import ProviderSelfForm, acceptance_formset
from .links import PUBLIC_FIELDS, LinkProblem, acceptance_key, link_by_id, link_for_token, public_snapshot
from .models import ProviderProposal
from .selectors import ProposalReview
from .views import _provider

# What the session keeps once a link is opened: the link's id, the provider's version and what it saw.
SESSION_KEY = "tsunagu_provider_link"
DONE_KEY = "tsunagu_provider_link_done"
SEND_FAILED = (
    "メールを送れませんでした。しばらくしてからもう一度送ってください。続くときはシステム管理者に連絡してください。"
)


def _masked_path() -> str:
    """The link's URL as the access log keeps it: without the secret."""
    return reverse("directory:provider_link_open", kwargs={"token": "（非表示）"})


def _username(link) -> str:
    return f"事業所リンク（{link.sent_to}）" if link is not None else "事業所リンク"


def _record(request, *, action: str, outcome: str = Outcome.SUCCESS, link=None, status: int, path=None, **notes):
    if link is not None:
        access_log_note(request, provider=link.provider_id, link=link.pk, **notes)
    access_event_record(
        request=request, action=action, outcome=outcome, username=_username(link), status_code=status, path=path
    )


def _refuse(request, problem: LinkProblem, *, link=None, path=None):
    """The Japanese error page of a link that does not work, recorded as refused; nothing changes."""
    status = problem.status
    _record(request, action=Action.REFUSED, outcome=Outcome.REFUSED, link=link, status=status, path=path)
    request.session.pop(SESSION_KEY, None)
    return render(request, "directory/link_invalid.html", {"problem": problem.value}, status=status)


@never_cache
def provider_link_open(request, token: str):
    """The link in the e-mail: checked, kept in the session, then the page at a URL without it."""
    now = timezone.now()
    check = link_for_token(token, now)
    if check.problem is not None:
        return _refuse(request, check.problem, link=check.link, path=_masked_path())
    link = check.link
    services.provider_link_open(link=link, now=now)
    provider = selectors.provider_for_page(link.provider_id)
    request.session[SESSION_KEY] = {
        "link": link.pk,
        "base_version": provider.version,
        "base": public_snapshot(provider, selectors.acceptance_matrix(provider)),
    }
    _record(request, action=Action.PROVIDER_LINK_OPEN, link=link, status=302, path=_masked_path())
    return redirect("directory:provider_link_page")


@never_cache
def provider_link_page(request):
    """The provider's public entry to check and correct, then 「この内容で確認する」."""
    state = request.session.get(SESSION_KEY) or {}
    check = link_by_id(state.get("link"), timezone.now())
    if check.problem is not None:
        return _refuse(request, check.problem, link=check.link)
    link = check.link
    provider = selectors.provider_for_page(link.provider_id)
    base = state["base"]
    # The form shows the entry as it was when the link was opened (what a proposal is measured
    # against), even if the office changed it meanwhile: the review page shows that as a 衝突.
    matrix = [
        selectors.MatrixRow(
            row.procedure, **base.get(acceptance_key(row.procedure.code), {"status": row.status, "note": row.note})
        )
        for row in selectors.acceptance_matrix(provider)
    ]
    procedures = [row.procedure for row in matrix]
    data = request.POST if request.method == "POST" else None
    form = ProviderSelfForm(
        data, instance=provider, initial={name: base[name] for name in PUBLIC_FIELDS if name in base}
    )
    matrix_formset = acceptance_formset(data, procedures=procedures, matrix=matrix)
    if request.method == "POST":
        if form.is_valid() and matrix_formset.is_valid():
            proposed = form.proposed()
            for entry in matrix_formset.entries():
                proposed[acceptance_key(entry.procedure.code)] = {"status": entry.status, "note": entry.note.strip()}
            try:
                proposal = services.provider_link_confirm(
                    link_id=link.pk, base=base, base_version=state["base_version"], proposed=proposed
                )
            except ValidationError:
                return _refuse(request, LinkProblem.USED, link=link)
            request.session.pop(SESSION_KEY, None)
            request.session[DONE_KEY] = {"name": provider.name, "proposed": proposal is not None}
            notes = {"proposal": proposal.pk} if proposal is not None else {}
            _record(request, action=Action.PROVIDER_LINK_CONFIRM, link=link, status=302, **notes)
            return redirect("directory:provider_link_done")
        _record(request, action=Action.PROVIDER_LINK_CONFIRM, outcome=Outcome.REFUSED, link=link, status=400)
        status = 400
    else:
        _record(request, action=Action.VIEW, link=link, status=200)
        status = 200
    context = {
        "provider": provider,
        "link": link,
        "form": form,
        "matrix_formset": matrix_formset,
    }
    return render(request, "directory/provider_link_page.html", context, status=status)


@never_cache
def provider_link_done(request):
    """The thanks after confirming: what happens next (nothing of the entry is shown)."""
    return render(request, "directory/provider_link_done.html", {"done": request.session.get(DONE_KEY)})


def _absolute(request):
    return request.build_absolute_uri


@login_required
@require_POST
@permission_required("directory.change_provider", raise_exception=True)
def provider_link_send(request, pk):
    """「確認依頼を送る」 on a provider's page: a new link by e-mail (an older unused one stops working)."""
    provider = _provider(pk)
    try:
        link = services.provider_link_send(provider=provider, user=request.user, absolute_url=_absolute(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (OSError, smtplib.SMTPException):
        messages.error(request, SEND_FAILED)
    else:
        expires = timezone.localtime(link.expires_at)
        messages.success(
            request,
            f"{provider.name}（{link.sent_to}）に確認依頼のリンクを送りました。有効期限は{expires:%Y年%-m月%-d日}です。",
        )
    return redirect("directory:provider_detail", pk=provider.pk)


@login_required
@permission_required("directory.change_provider", raise_exception=True)
def provider_link_send_all(request):
    """「確認依頼を一括送信」: confirm (GET), then a link to every stale entry with an e-mail address (POST)."""
    today = timezone.localdate()
    providers = list(selectors.providers_to_reverify(today=today))
    if request.method == "POST":
        try:
            result = services.provider_links_send_stale(
                providers=providers, user=request.user, absolute_url=_absolute(request)
            )
        except (OSError, smtplib.SMTPException):
            messages.error(request, SEND_FAILED + "送れなかった分は一覧で「リンク送信済み」になっていません。")
            return redirect("directory:provider_reverify_list")
        return render(request, "directory/provider_link_sent.html", {"result": result})
    context = {
        "with_email": [p for p in providers if p.email and not (p.link_expires_at or p.proposal_waiting)],
        "no_email": [p for p in providers if not p.email and not (p.link_expires_at or p.proposal_waiting)],
        "waiting": [p for p in providers if p.link_expires_at or p.proposal_waiting],
        "link_days": settings.TSUNAGU_PROVIDER_LINK_DAYS,
    }
    return render(request, "directory/provider_link_send_all.html", context)


@login_required
@permission_required("directory.change_provider", raise_exception=True)
def provider_proposals(request, pk):
    """The provider's proposed changes beside the entry as saved now; 反映する / 反映しない for each."""
    provider = _provider(pk)
    errors, status = [], 200
    if request.method == "POST":
        proposal_id = request.POST.get("proposal", "")
        decisions = {
            key.removeprefix("decision:"): value for key, value in request.POST.items() if key.startswith("decision:")
        }
        version = request.POST.get("version", "")
        try:
            services.provider_proposal_decide(
                provider=provider,
                proposal_id=int(proposal_id) if proposal_id.isdigit() else 0,
                user=request.user,
                decisions=decisions,
                expected_version=int(version) if version.isdigit() else 0,
            )
        except EditConflict:
            errors.append(
                "この機関・事業所の情報は、このページを開いたあとにほかの人が変更しました。何も反映していません。"
                "下の「いまの内容」と「衝突」を確かめてから、もう一度選んでください。"
            )
            status = 409
            provider = _provider(pk)
        except ProviderProposal.DoesNotExist:
            errors.append("その提案は見つかりません。ページを開き直してください。")
            status = 400
        except ValidationError as error:
            errors.extend(error.messages)
            status = 400
        else:
            messages.success(
                request, f"{provider.name} の変更の提案を判断しました。最終確認日を事業所が確認した日にしました。"
            )
            return redirect("directory:provider_detail", pk=provider.pk)
    reviews = selectors.proposal_reviews(provider)
    if request.method == "POST":
        # The choices made stay ticked on the page shown again (a conflict, a change left without one).
        reviews = [
            ProposalReview(
                review.proposal,
                [
                    replace(row, decision=request.POST.get(f"decision:{row.key}", ""))
                    if str(review.proposal.pk) == request.POST.get("proposal")
                    else row
                    for row in review.rows
                ],
            )
            for review in reviews
        ]
    context = {
        "provider": provider,
        "reviews": reviews,
        "decided": selectors.proposal_reviews(provider, pending=False),
        "errors": errors,
    }
    return render(request, "directory/provider_proposals.html", context, status=status)
