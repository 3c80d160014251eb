"""Reads of contact logs, each shaped for one page."""

from datetime import date

from django.db.models import OuterRef, Prefetch, Subquery

from accounts.models import Office, user_fields_but_name
from coordination.followups.models import FollowUp
from coordination.logs.models import ActivityType, ContactLog, Counterpart
from directory.models import Provider


def _follow_ups():
    """A log's follow-ups, first made first (the log form's is the first), with their assignee."""
    return Prefetch("follow_ups", queryset=FollowUp.objects.select_related("assignee").order_by("pk"))


def counterparts_shown(*category_path: str):
    """Counterparts with their category (and `category_path`'s parents) and only their provider's name.

    A list or timeline row shows a provider by name; the directory's row is wide (search text,
    services, an encrypted note), so the rest of it is not read.
    """
    unread = (f"provider__{field.name}" for field in Provider._meta.concrete_fields if field.name not in ("id", "name"))
    return Counterpart.objects.select_related(*category_path, "provider").defer(*unread)


def log_for_page(office: Office):
    """The office's logs with what the log page and the edit form show; the view picks one by id."""
    return (
        ContactLog.objects.for_office(office)
        .select_related("client", "coordinator", "method__parent")
        .prefetch_related(
            Prefetch(
                "counterparts",
                queryset=Counterpart.objects.select_related("category__parent__parent", "provider").order_by("id"),
            ),
            Prefetch("activity_types", queryset=ActivityType.objects.select_related("parent").order_by("position")),
            _follow_ups(),
        )
    )


def contact_logs_for_list(office: Office, *, as_lists: bool = False):
    """The office's logs with what a row of the log list or its export shows, newest first.

    Evaluating a page costs three queries: the logs (with client, coordinator, method and their
    follow-up's action, due and done dates as `follow_up_action`, `follow_up_due_on`,
    `follow_up_done_on`), their counterparts (with category path and provider) and their activity
    types (with parent). The export reads them through the relations (`log.counterparts.all()`);
    with `as_lists` the page's rows hold them as lists instead, `shown_counterparts` and
    `shown_activity_types` (Django makes no filtered queryset per row for them).
    """
    first_follow_up = FollowUp.objects.filter(contact_log=OuterRef("pk")).order_by("pk")
    return (
        ContactLog.objects.for_office(office)
        .select_related("client", "coordinator", "method__parent")
        .prefetch_related(
            Prefetch(
                "counterparts",
                queryset=counterparts_shown("category__parent__parent").order_by("id"),
                to_attr="shown_counterparts" if as_lists else None,
            ),
            Prefetch(
                "activity_types",
                queryset=ActivityType.objects.select_related("parent").order_by("position"),
                to_attr="shown_activity_types" if as_lists else None,
            ),
        )
        # Neither the list nor its export shows the encrypted notes (not read, not decrypted), nor more of
        # the coordinator than the name.
        .defer("confidential_notes", "client__notes", *user_fields_but_name("coordinator"))
        .annotate(
            **{
                f"follow_up_{name}": Subquery(first_follow_up.values(name)[:1])
                for name in ("action", "due_on", "done_on")
            }
        )
        .order_by("-occurred_on", "-started_at", "-id")
    )


def new_client_ids(office: Office, start: date, end: date):
    """新規: the office's clients whose first ever log (whatever its fiscal year, imported or not)
    falls from `start` to `end`, as a lazy query of ids (one query, or a subquery in `__in=`)."""
    return ContactLog.objects.for_office(office).first_contact_client_ids(start, end)
