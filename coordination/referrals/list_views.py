"""つなぎの一覧: the office's referrals filtered and sorted, a page at a time, and their export."""

from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from accounts.access import office_of
from coordination.exports import filtered_list_export
from coordination.referrals import selectors
from coordination.referrals.filters import ReferralFilter
from coordination.referrals.models import Referral
from coordination.referrals.states import WAITING_STATES

EXPORT_TITLE = "つなぎの一覧"
# The filters shown first, then the two ticks of what needs looking at; the sort and page size below them.
MAIN_FILTERS = ("state", "provider", "coordinator")
CHECK_FILTERS = ("overdue", "consent_withdrawn")


def is_overdue(referral: Referral, today: date) -> bool:
    """Waiting for an answer past its due date (ReferralQuerySet.answer_overdue, for one row)."""
    return referral.state in WAITING_STATES and referral.answer_due_on is not None and referral.answer_due_on < today


def _referral_filter(request, office) -> ReferralFilter:
    return ReferralFilter(
        request.GET, queryset=selectors.referral_list_rows(office), office=office, today=timezone.localdate()
    )


@login_required
@permission_required("coordination.view_referral", raise_exception=True)
def referral_list(request):
    """The office's referrals, filtered and sorted, 50 (or 100, 200) a page; every row links to it and its client."""
    referral_filter = _referral_filter(request, office_of(request))
    referral_filter.is_valid()
    page = Paginator(referral_filter.qs, referral_filter.page_size).get_page(request.GET.get("page"))
    today = referral_filter.today
    form = referral_filter.form
    context = {
        "filter": referral_filter,
        "main_fields": [form[name] for name in MAIN_FILTERS],
        "check_fields": [form[name] for name in CHECK_FILTERS],
        "order_fields": [form["sort"], form["per_page"]],
        "page": page,
        "rows": [{"referral": referral, "overdue": is_overdue(referral, today)} for referral in page],
        "can_add": request.user.has_perm("coordination.add_referral"),
    }
    return render(request, "coordination/referrals/list.html", context)


EXPORT_COLUMNS = (
    "相談対象者",
    "フリガナ",
    "つなぎ先",
    "つなぎ先の種別",
    "目的",
    "状態",
    "状態が変わった日",
    "依頼日",
    "回答期限",
    "回答期限切れ",
    "回答日",
    "同意撤回",
    "担当コーディネーター",
)


def _export_row(referral: Referral, today: date) -> list:
    return [
        referral.client.name,
        referral.client.name_kana,
        referral.organization_label,
        referral.organization_category.name,
        referral.purpose,
        referral.get_state_display(),
        referral.state_changed_on,
        referral.requested_on,
        referral.answer_due_on,
        "期限切れ" if is_overdue(referral, today) else "",
        referral.answered_on,
        "同意撤回" if referral.consent_withdrawn else "",
        str(referral.coordinator),
    ]


@login_required
@permission_required("coordination.view_referral", raise_exception=True)
def referral_export(request, file_format):
    """Every referral the list's filters select (all pages, in the list's order) as .xlsx or .csv."""
    referral_filter = _referral_filter(request, office_of(request))
    today = referral_filter.today
    return filtered_list_export(
        request,
        file_format=file_format,
        list_filter=referral_filter,
        list_url_name="referral_list",
        title=EXPORT_TITLE,
        columns=EXPORT_COLUMNS,
        row=lambda referral: _export_row(referral, today),
    )
