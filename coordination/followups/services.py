"""Writes on follow-ups: created, closed with an outcome, reopened, reassigned, moved."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Office, User
from coordination.clients.models import Client
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog
from coordination.referrals.models import Referral


def _check_assignee(assignee: User, office: Office) -> None:
    if assignee.office_id != office.pk or not assignee.is_active:
        raise ValidationError({"assignee": "担当は同じ事業所の職員から選んでください。"})


@transaction.atomic
def follow_up_create(
    *,
    office: Office,
    created_by: User,
    action: str,
    due_on: date | None = None,
    assignee: User | None = None,
    client: Client | None = None,
    contact_log: ContactLog | None = None,
    referral: Referral | None = None,
) -> FollowUp:
    """A new open follow-up for the assignee (the creator by default), linked to what it came from.

    The client is taken from the log or the referral when not given.
    """
    assignee = assignee or created_by
    _check_assignee(assignee, office)
    if client is None:
        client = (contact_log.client if contact_log else None) or (referral.client if referral else None)
    for linked in (client, contact_log, referral):
        if linked is not None and linked.office_id != office.pk:
            raise ValidationError("ほかの事業所の記録には次の対応を付けられません。")
    follow_up = FollowUp(
        office=office,
        created_by=created_by,
        action=action.strip(),
        due_on=due_on,
        assignee=assignee,
        client=client,
        contact_log=contact_log,
        referral=referral,
    )
    follow_up.full_clean()
    follow_up._history_user = created_by
    follow_up.save()
    return follow_up
