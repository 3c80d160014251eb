"""Records audited requests (see policy.py) after the view has answered."""

from .models import Action, Outcome
from .policy import AUDITED_FORMS, audited_action, list_or_search
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
        elif request.method == "POST":
            form = self._form_action_for(request, response.status_code)
            if form is not None:
                access_event_record(request=request, action=form[0], outcome=form[1], status_code=response.status_code)
        return response

    @staticmethod
    def _action_for(request, status: int) -> str | None:
        match = getattr(request, "resolver_match", None)
        audited = audited_action(match.view_name) if match is not None else None
        if status == 403 or (audited and status in REFUSED_STATUSES):
            return Action.REFUSED
        if audited and 200 <= status < 300:
            return list_or_search(audited, request.GET)
        return None

    @staticmethod
    def _form_action_for(request, status: int) -> tuple[str, str] | None:
        """(action, outcome) of a POST to an audited form: a redirect accepts it, the page again refuses it."""
        match = getattr(request, "resolver_match", None)
        actions = AUDITED_FORMS.get(match.view_name) if match is not None else None
        if actions is None:
            return None
        if 300 <= status < 400:
            return actions[0], Outcome.SUCCESS
        return actions[1], Outcome.REFUSED
