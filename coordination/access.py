"""Role checks for views. Office scoping of records lives in the querysets (`for_office`)."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import Role


def role_required(*roles: Role):
    """Signed-in users with one of the roles; others get 403 (anonymous users go to sign-in)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
