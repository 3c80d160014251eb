"""Records audited requests (see policy.py) after the view has answered."""
from .models import Action, Outcome
from .policy import AUDITED_VIEWS
from .services import access_event_record

REFUSED_STATUSES = (403, 404)


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        action = self._action_for(request, response.status_code)
        if action is not None:
            access_event_record(
                request=request,
                action=action,
                outcome=Outcome.REFUSED if action == Action.REFUSED else Outcome.SUCCESS,
                status_code=response.status_code,
            )
        return response

    @staticmethod
    def _action_for(request, status: int) -> str | None:
        match = getattr(request, "resolver_match", None)
        audited = AUDITED_VIEWS.get(match.view_name) if match is not None else None
        if status == 403 or (audited and status in REFUSED_STATUSES):
            return Action.REFUSED
        if audited and 200 <= status < 300:
            return audited
        return None
