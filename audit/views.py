"""The access log screen: admins (superusers) only; every read is itself logged by the middleware."""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors
from .forms import AccessEventFilterForm
from .models import AccessEvent

PAGE_SIZE = 100


def superuser_required(view):
    """403 for everyone but superusers, even if a group were ever given the view permission."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@permission_required("audit.view_accessevent", raise_exception=True)
@superuser_required
def access_event_list(request):
    """Newest first, 100 a page, filtered by user, action, object id or URL, and dates."""
    form = AccessEventFilterForm(request.GET or None)
    if not form.is_bound:
        events = selectors.access_events_for_list()
    elif form.is_valid():
        events = selectors.access_events_for_list(**form.cleaned_data)
    else:
        events = AccessEvent.objects.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"form": form, "page": page})
