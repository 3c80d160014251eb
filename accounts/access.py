"""Who may see what: the office every read and write of a request is scoped to."""

from django.core.exceptions import PermissionDenied

from .models import Office


def office_of(request) -> Office:
    """The signed-in user's office; 403 for a user attached to none (e.g. an admin account)."""
    office = request.user.office
    if office is None:
        raise PermissionDenied("事業所が設定されていないため、表示できません。")
    return office
