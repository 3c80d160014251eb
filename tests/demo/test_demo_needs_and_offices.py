"""What `load_demo` adds beyond the seed's office: its needs register, and a second and third office."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import Office, User
from accounts.roles import Role
from coordination.clients.models import Client
from coordination.events.models import EventKind
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ContactLog
from coordination.needs.models import Need, NeedNote, NeedStatus
from coordination.needs.selectors import families_affected
from demo.offices import OTHER_OFFICES
from reporting.quarterly import build_quarterly_report
from reporting.render.json import report_to_dict

pytestmark = pytest.mark.django_db
FY2025 = FiscalPeriod(2025)


@pytest.fixture
def loaded(demo_office):
    """`load_demo` run on the session's demo (the seed's office alone), inside the test's transaction."""
    before = report_to_dict(build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3)))
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    return before, output.getvalue()


def test_the_first_office_has_needs_in_every_status_found_in_its_families_logs(loaded, demo_office):
    needs = list(Need.objects.for_office(demo_office).select_related("raised_at").order_by("pk"))

    assert "デモのニーズ・課題を追加しました：9件" in loaded[1]
    assert {need.status for need in needs} == set(NeedStatus.values)
    families = [families_affected(need) for need in needs]
    assert min(families) == 1 and max(families) >= 5
    assert any(count <= 2 for count in families) and sum(count >= 3 for count in families) >= 5
    for need in needs:
        logs = list(need.logs.all())
        # One log per family, of this office, in FY2025.
        assert len({log.client_id for log in logs}) == len(logs) == families_affected(need)
        assert all(log.office_id == demo_office.pk and FY2025.start <= log.occurred_on <= FY2025.end for log in logs)
        notes = list(need.notes.all())
        assert notes[0].status == NeedStatus.FOUND and notes[-1].status == need.status
        assert [note.on for note in notes] == sorted(note.on for note in notes)
        assert need.status_changed_on == notes[-1].on
        assert need.history.count() == len(notes)  # created, then one record per move
        assert need.category and need.life_stages
    raised = [need for need in needs if need.raised_at]
    assert len(raised) >= 3
    for need in raised:
        # A meeting of §6 of the seed's FY2025, the day it was raised there.
        assert need.raised_at.office_id == demo_office.pk and need.raised_at.kind == EventKind.MEETING
        assert need.notes.filter(status=NeedStatus.RAISED, on=need.raised_at.held_on).exists()

    # No client's name of any office, nor a guardian's, in what the needs say.
    names = set()
    for client in Client.objects.prefetch_related("guardians"):
        names.update(client.name.split())
        names.update(guardian.name.split()[0] for guardian in client.guardians.all())
    texts = [text for need in needs for text in (need.title, need.description)]
    texts += list(NeedNote.objects.filter(need__in=needs).values_list("text", flat=True))
    assert not [text for text in texts if any(name in text for name in names)]

    # The 業務報告書 of the seed's period is still the seed's.
    assert report_to_dict(build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3))) == loaded[0]


def test_a_second_and_third_office_with_their_own_people_districts_and_fewer_logs(loaded, demo_office):
    offices = list(Office.objects.order_by("pk"))
    assert [office.name for office in offices] == [demo_office.name, *(plan.name for plan in OTHER_OFFICES)]
    logs = dict(
        ContactLog.objects.in_period(FY2025).values_list("office").annotate(n=Count("id")).values_list("office", "n")
    )
    figures = [logs.get(office.pk, 0) for office in offices]
    assert figures[0] > figures[1] > figures[2] > 20  # three offices, different figures

    for office, plan in zip(offices[1:], OTHER_OFFICES):
        users = {user.username: user for user in User.objects.filter(office=office)}
        assert {username: users[username].role for username, *_ in plan.users} == {
            plan.users[0][0]: Role.COORDINATOR,
            plan.users[1][0]: Role.SUPERVISOR,
        }
        assert users[plan.users[0][0]].check_password("tsunagu-demo-2025")
        districts = {link.district.code for link in office.district_links.select_related("district")}
        assert districts == {code for code, _ in plan.districts}
        clients = Client.objects.for_office(office)
        assert 5 <= clients.count() <= 15
        assert not clients.filter(district__isnull=False).exclude(district__code__in=districts).exists()
        # Its logs are about its own families; its meetings are its own.
        assert not ContactLog.objects.for_office(office).exclude(client=None).exclude(client__office=office).exists()
        assert office.events.filter(kind=EventKind.MEETING).exists()

    # Loading again the same day changes nothing.
    counts = Office.objects.count(), ContactLog.objects.count(), Need.objects.count(), Client.objects.count()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert "nothing changed" in output.getvalue()
    assert (Office.objects.count(), ContactLog.objects.count(), Need.objects.count(), Client.objects.count()) == counts
