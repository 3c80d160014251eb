"""Django admin's site, with a guard for filter values no date or column can hold."""

from functools import wraps

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.views.defaults import bad_request


class TsunaguAdminSite(AdminSite):
    """The admin site of every app, answering the Japanese 400 page to an out-of-range filter.

    A changelist's date hierarchy builds `datetime(year, month, day)` from the query string and
    catches ValueError but not OverflowError, which a 20-digit `?occurred_on__year=` raises before
    any query runs: without this guard, a 500 on every model with a `date_hierarchy` (our own, the
    access log's, the third-party ones').
    """

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            try:
                return guarded(request, *args, **kwargs)
            except OverflowError:
                return bad_request(request, exception=None)

        return inner


class TsunaguAdminConfig(AdminConfig):
    default_site = "config.admin.TsunaguAdminSite"
