"""`/healthz`: whether this server can answer, database included, for nginx, systemd or a monitor."""

import logging

from django.db import Error, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


# Open to anyone, signed in or not: a monitor has no account, and the answer shows no data. Not in
# the access log (audit/policy.py) — a probe every few seconds would bury the real entries — and
# exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT) so a probe over loopback http works.
@require_safe
@never_cache
def healthz(request):
    """200 "ok" when a trivial query succeeds; 503 without details when the database fails."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error:
        # The details go to the log (with the request id), never to whoever is probing.
        logger.exception("Health check: the database query failed")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
