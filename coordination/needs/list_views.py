"""ニーズ・課題の一覧: the office's needs filtered, a page at a time, and their export."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from accounts.access import office_of
from coordination.exports import filtered_list_export
from coordination.needs import selectors
from coordination.needs.filters import NeedFilter
from coordination.needs.models import Need

EXPORT_TITLE = "ニーズ・課題の一覧"
MAIN_FILTERS = ("status", "category", "district", "life_stage", "q", "per_page")


def _need_filter(request, office) -> NeedFilter:
    return NeedFilter(request.GET, queryset=selectors.need_list_rows(office), office=office, today=timezone.localdate())


@login_required
@permission_required("coordination.view_need", raise_exception=True)
def need_list(request):
    """The office's needs, filtered, 50 (or 100, 200) a page; every row links to its page."""
    need_filter = _need_filter(request, office_of(request))
    need_filter.is_valid()
    page = Paginator(need_filter.qs, need_filter.page_size).get_page(request.GET.get("page"))
    context = {
        "filter": need_filter,
        "main_fields": [need_filter.form[name] for name in MAIN_FILTERS],
        "page": page,
        "needs": list(page),
        "can_add": request.user.has_perm("coordination.add_need"),
    }
    return render(request, "coordination/needs/list.html", context)


EXPORT_COLUMNS = (
    "件名",
    "分類",
    "内容",
    "ライフステージ",
    "状態",
    "状態が変わった日",
    "提起した会議",
    "記録の数",
    "家族の数",
)


def _export_row(need: Need) -> list:
    return [
        need.title,
        need.category.name,
        need.description,
        "、".join(need.life_stage_labels),
        need.get_status_display(),
        need.status_changed_on,
        need.raised_at.name if need.raised_at_id else "",
        need.log_count,
        need.family_count,
    ]


@login_required
@permission_required("coordination.view_need", raise_exception=True)
def need_export(request, file_format):
    """Every need the list's filters select (all pages, in the list's order) as .xlsx or .csv."""
    return filtered_list_export(
        request,
        file_format=file_format,
        list_filter=_need_filter(request, office_of(request)),
        list_url_name="need_list",
        title=EXPORT_TITLE,
        columns=EXPORT_COLUMNS,
        row=_export_row,
    )
