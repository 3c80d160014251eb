from django.urls import reverse

from .roles import Role


def navigation(request):
    """The header's menu for the signed-in user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = user.role
    items = [("ホーム", reverse("home"))]
    if user.has_perm("coordination.view_client"):
        items.append(("相談対象者", reverse("client_list")))
    if user.has_perm("coordination.view_contactlog"):
        items.append(("記録の一覧", reverse("log_list")))
    if user.has_perm("coordination.view_event"):
        items.append(("周知活動・会議・研修", reverse("event_list")))
    if role in (Role.COORDINATOR, Role.SUPERVISOR, Role.WARD_STAFF):
        items.append(("機関・事業所を探す", reverse("directory:provider_list")))
    if user.has_perm("reporting.view_quarterlyreport"):
        items.append(("業務報告書", reverse("reporting:quarterly")))
    if role == Role.ADMIN:
        items.append(("管理サイト", reverse("admin:index")))
        items.append(("アクセス記録", reverse("audit:event_list")))
    return {"nav_items": items, "user_role": role}
