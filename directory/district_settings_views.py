"""An office's districts in the order of the report's §2: list, move up and down, add, remove.

For supervisors of the office (the system admin: any office, `?office=`); the office is chosen as on
the other office settings pages (accounts.office_settings.office_choice).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.office_settings.office_choice import office_choices, office_query, settings_office
from common.forms import add_service_errors
from tabular.history import limit_for

from . import selectors, services
from .history import office_district_history
from .models import District

PERMISSION = "accounts.change_office_settings"
BAD_REQUEST = "操作の指定が正しくありません。一覧の「上へ」「下へ」「外す」ボタンを使ってください。"


class DistrictAddForm(forms.Form):
    """A registered district of the office's municipality, or the name of a new one."""

    order = forms.CharField(widget=forms.HiddenInput, required=False)
    district = forms.ModelChoiceField(
        label="登録済みの地区を追加",
        queryset=District.objects.none(),
        required=False,
        empty_label="（選んでください）",
        error_messages={"invalid_choice": "選んだ地区は追加できません。一覧から選び直してください。"},
    )
    new_name = forms.CharField(
        label="新しい地区を登録して追加",
        required=False,
        max_length=50,
        error_messages={"max_length": "地区名は50文字以内で入力してください。"},
        help_text="例：十条地区",
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["district"].queryset = selectors.districts_to_add(office)
        self.fields["district"].label_from_instance = lambda district: district.name

    def clean(self):
        data = super().clean()
        if data.get("district") and (data.get("new_name") or "").strip():
            raise forms.ValidationError(
                "登録済みの地区を選ぶか、新しい地区名を入力するか、どちらか一方にしてください。"
            )
        if not data.get("district") and not (data.get("new_name") or "").strip() and not self.errors:
            raise forms.ValidationError("追加する地区を選ぶか、新しい地区名を入力してください。")
        return data


def _index_url(request, office) -> str:
    query = office_query(request, office)
    return reverse("district_settings:index") + (f"?{query}" if query else "")


def _page(request, office, *, form=None, error: str = "", status: int = 200):
    query = office_query(request, office)
    rows = list(selectors.office_district_rows(office))
    context = {
        "office": office,
        "offices": office_choices(request),
        "office_query": query,
        "rows": rows,
        "order": ",".join(str(row.pk) for row in rows),
        "form": form or DistrictAddForm(office=office),
        "error": error,
        "history": office_district_history(office, limit=limit_for(request)),
        "query_suffix": f"?{query}" if query else "",
    }
    return render(request, "directory/district_settings.html", context, status=status)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def district_list(request):
    return _page(request, settings_office(request))


def _status(error: ValidationError) -> int:
    return 409 if getattr(error, "code", None) == "changed" else 400


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def district_add(request):
    office = settings_office(request)
    form = DistrictAddForm(request.POST, office=office)
    if not form.is_valid():
        return _page(request, office, form=form, status=400)
    try:
        link = services.office_district_add(
            office=office,
            user=request.user,
            expected_order=form.cleaned_data["order"],
            district=form.cleaned_data["district"],
            new_name=form.cleaned_data["new_name"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _page(request, office, form=form, status=_status(error))
    messages.success(request, f"「{link.district.name}」を一覧の最後に追加しました。")
    return redirect(_index_url(request, office))


def _link_id(request) -> int | None:
    raw = request.POST.get("link", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def district_move(request):
    office = settings_office(request)
    link_id, direction = _link_id(request), request.POST.get("direction")
    if link_id is None or direction not in ("up", "down"):
        return _page(request, office, error=BAD_REQUEST, status=400)
    try:
        moved = services.office_district_move(
            office=office,
            user=request.user,
            link_id=link_id,
            step=-1 if direction == "up" else 1,
            expected_order=request.POST.get("order", ""),
        )
    except ValidationError as error:
        return _page(request, office, error=" ".join(error.messages), status=_status(error))
    if moved:
        messages.success(request, "報告書での順番を変えました。")
    else:
        messages.info(request, "これ以上は動かせません。")
    return redirect(_index_url(request, office))


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def district_remove(request):
    office = settings_office(request)
    link_id = _link_id(request)
    if link_id is None:
        return _page(request, office, error=BAD_REQUEST, status=400)
    try:
        district = services.office_district_remove(
            office=office, user=request.user, link_id=link_id, expected_order=request.POST.get("order", "")
        )
    except ValidationError as error:
        return _page(request, office, error=" ".join(error.messages), status=_status(error))
    messages.success(request, f"「{district.name}」を一覧から外しました。")
    return redirect(_index_url(request, office))
