"""Project-wide response headers that no single app owns."""
from django.conf import settings
from django.utils.cache import add_never_cache_headers


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
