"""Project-wide request ids and response headers that no single app owns."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers
from django.views.defaults import bad_request

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


class RefuseNulBytesMiddleware:
    """Answers 400 (the Japanese 400 page) to a query string or form with a NUL character.

    No one types a NUL; it comes from a probe or a broken client. PostgreSQL refuses it in any text
    parameter (a DataError, a 500 wherever a view searches or saves it), so it is refused once here
    rather than in every view. Reading the form here parses it no earlier than CsrfViewMiddleware
    does in production; uploaded files' content is not looked at.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(_form_or_nothing(request))):
            return bad_request(request, exception=None)
        return self.get_response(request)


def _form_or_nothing(request) -> QueryDict:
    # A body too big, with too many fields or files, malformed or cut off is answered where the view
    # (or CsrfViewMiddleware) reads it, as before: it is not this middleware's to answer.
    try:
        return request.POST
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError, UnreadablePostError):
        return QueryDict()


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
