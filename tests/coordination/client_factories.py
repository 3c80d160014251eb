"""Small factories for the client tests: a separate office with its own people and clients."""

from datetime import date, time

from django.contrib.auth.models import Group

from accounts.models import Office, User
from accounts.roles import ROLE_GROUPS, Role
from coordination.clients.models import Client, Guardian
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog, ContactMethod
from directory.models import District, MedicalCareProcedure, OfficeDistrict


def make_office(name: str = "テスト区医療的ケア児等コーディネーター事業") -> Office:
    """An office with two districts of its own (東地区, 西地区)."""
    office = Office.objects.create(name=name, municipality="テスト区")
    for position, (code, district_name) in enumerate([("test-east", "東地区"), ("test-west", "西地区")], start=1):
        district, _ = District.objects.get_or_create(
            code=f"{code}-{office.pk}", defaults={"name": f"{district_name}{office.pk}", "municipality": office.name}
        )
        OfficeDistrict.objects.create(office=office, district=district, position=position)
    return office


def make_user(office: Office, username: str, role: Role = Role.COORDINATOR, *, last_name: str = "試験") -> User:
    user = User.objects.create_user(username, password="a-long-password-1", office=office, last_name=last_name)
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return user


def make_client(office: Office, name: str = "山田 花子", name_kana: str = "ヤマダ ハナコ", **fields) -> Client:
    procedures = fields.pop("procedures", [])
    client = Client.objects.create(office=office, name=name, name_kana=name_kana, **fields)
    if procedures:
        client.procedures.set(MedicalCareProcedure.objects.filter(code__in=procedures))
    return client


def make_guardian(client: Client, name: str = "山田 由美", **fields) -> Guardian:
    fields.setdefault("relationship", "母")
    return Guardian.objects.create(client=client, name=name, **fields)


def make_log(
    client: Client,
    coordinator: User,
    occurred_on: date,
    *,
    follow_up_action: str = "",
    follow_up_due_on: date | None = None,
    follow_up_done_on: date | None = None,
    **fields,
) -> ContactLog:
    """A log of the client; with `follow_up_action`, its follow-up too (assigned to the coordinator)."""
    fields.setdefault("method", ContactMethod.objects.get(code="phone"))
    fields.setdefault("started_at", time(10, 0))
    log = ContactLog.objects.create(
        office=client.office, client=client, coordinator=coordinator, occurred_on=occurred_on, **fields
    )
    if follow_up_action:
        FollowUp.objects.create(
            office=client.office,
            client=client,
            contact_log=log,
            action=follow_up_action,
            due_on=follow_up_due_on,
            done_on=follow_up_done_on,
            assignee=coordinator,
            created_by=coordinator,
        )
    return log


def district(office: Office, position: int) -> District:
    return office.district_links.get(position=position).district
