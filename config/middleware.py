"""Project-wide request ids and response headers that no single app owns."""

import re
import uuid

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from .log import current_request_id

SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


class NoStoreForSignedInUsersMiddleware:
    """Every response to a signed-in user may show personal data: no browser or proxy may keep it.

    One rule for all pages, downloads included, so a new view cannot forget it. Static files carry
    nothing personal and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            add_never_cache_headers(response)
        return response


class RequestIdMiddleware:
    """Gives every request an id: nginx's `X-Request-ID` when it is safe to log, else a new one.

    The id is on `request.request_id`, on every log line written while the request is served
    (config.log.RequestIdFilter) and in the response's `X-Request-ID` header, so a user's report of
    a failure can be matched to the log. First in MIDDLEWARE so redirects and static files get one too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("x-request-id", "")
        # Only short ids of letters, digits and hyphens (nginx's $request_id is 32 hex digits): anything
        # else could forge or break log lines, so it is replaced rather than trusted.
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response
