"""Browser drafts of forms (static/js/form-draft.js): forgetting the draft of a form once it is saved.

A long form keeps what is typed in the browser's localStorage under
`tsunagu:draft:<user pk>:<name>`, where `<name>` is `<form>:new` for a new object and
`<form>:<pk>` for an edit (`client:new`, `client:12`). The view that saves the form calls
`mark_draft_saved(request, name)` before its redirect; the next page, whatever it is, carries the
names in base.html's `data-clear-drafts` marker (from the `saved_drafts` context processor), and
form-draft.js removes those drafts. Drafts are not deleted on the failed saves: the form then
still shows what was typed.
"""

SAVED_DRAFTS = "saved_drafts"


def mark_draft_saved(request, name: str) -> None:
    """The draft `name` (`client:new`, `client:12`…) is to be forgotten by the browser on the next page."""
    request.session[SAVED_DRAFTS] = [*request.session.get(SAVED_DRAFTS, []), name]


def drafts_to_clear(request) -> list[str]:
    """The names marked saved since the last page, once (they are removed from the session)."""
    session = getattr(request, "session", None)
    return session.pop(SAVED_DRAFTS, []) if session is not None else []


def saved_drafts(request) -> dict:
    """Context processor: `clear_drafts`, the names base.html hands to form-draft.js."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"clear_drafts": drafts_to_clear(request)}
