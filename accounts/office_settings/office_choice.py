"""Which office a settings page is about: the supervisor's own; the system admin may pick any with `?office=`."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Office

OFFICE_PARAMETER = "office"


def settings_office(request) -> Office:
    """The office whose settings this request reads and writes.

    A supervisor always gets their own office; naming another one (`?office=<id>`) is a 404, as
    for any object of another office. The system admin may name any office, and without one gets
    their own office or, having none, the first by name.
    """
    user = request.user
    raw = request.GET.get(OFFICE_PARAMETER, "")
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            raise Http404("事業所が見つかりません。")
        if user.is_superuser:
            office = Office.objects.filter(pk=int(raw)).first()
            if office is None:
                raise Http404("事業所が見つかりません。")
            return office
        if user.office_id != int(raw):
            raise Http404("事業所が見つかりません。")
    if user.office is not None:
        return user.office
    if user.is_superuser:
        office = Office.objects.order_by("name").first()
        if office is not None:
            return office
        raise Http404("事業所がまだありません。")
    raise PermissionDenied("事業所が設定されていないため、表示できません。")


def office_query(request, office: Office) -> str:
    """The query string that keeps the admin's chosen office on links and forms ("" for one's own)."""
    if request.user.is_superuser and request.GET.get(OFFICE_PARAMETER):
        return f"{OFFICE_PARAMETER}={office.pk}"
    return ""


def office_choices(request) -> list[Office]:
    """The offices the admin may switch between (none for a supervisor)."""
    return list(Office.objects.order_by("name")) if request.user.is_superuser else []
