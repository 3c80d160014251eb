"""The demo office reproduces the seed report's FY2025 Q1–Q3 figures, counted independently here."""

from collections import Counter

import pytest
from django.db.models import Count, Q

from accounts.models import Office, User
from accounts.roles import Role
from coordination.clients.age_bands import AgeBand
from coordination.clients.models import Client
from coordination.events.models import Event
from coordination.fiscal import FiscalPeriod
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog, Counterpart
from coordination.referrals.models import Referral
from demo.builders import DEMO_USERS, demo_load
from directory.models import Provider
from directory.selectors import office_districts

PERIOD = FiscalPeriod(2025, 1, 3)

pytestmark = pytest.mark.django_db


def logs_in_period(office):
    return ContactLog.objects.for_office(office).in_period(PERIOD)


def test_section_1_clients_and_contacts_by_age_band(demo_office):
    logs = logs_in_period(demo_office).exclude(client=None)
    contacts = Counter(logs.values_list("client_id", flat=True))
    rows = Counter()
    for client in Client.objects.filter(pk__in=contacts):
        band = client.age_band_for(PERIOD.fiscal_year)
        rows[band, "clients"] += 1
        rows[band, "contacts"] += contacts[client.pk]
        rows[band, "with_care" if client.has_medical_care else "without_care"] += 1

    expected = {
        AgeBand.PRESCHOOL: (19, 150, 15, 4),
        AgeBand.ELEMENTARY: (3, 33, 2, 1),
        AgeBand.JUNIOR_HIGH: (2, 2, 1, 1),
        AgeBand.HIGH_SCHOOL: (2, 32, 2, 0),
        AgeBand.UP_TO_19: (2, 22, 2, 0),
        AgeBand.AGE_20S: (2, 9, 2, 0),
        AgeBand.AGE_30S: (2, 34, 2, 0),
    }
    for band in AgeBand:
        got = tuple(rows[band, key] for key in ("clients", "contacts", "with_care", "without_care"))
        assert got == expected.get(band, (0, 0, 0, 0)), band.label
    assert sum(contacts.values()) == 282
    assert len(contacts) == 32


def test_section_2_clients_by_district(demo_office):
    client_ids = logs_in_period(demo_office).exclude(client=None).values("client_id")
    clients = Client.objects.filter(pk__in=client_ids).select_related("district")
    by_area = Counter(
        c.district.name if c.district else ("区外" if c.municipality_outside else "不明") for c in clients
    )
    assert [d.name for d in office_districts(demo_office)] == ["王子地区", "赤羽地区", "滝野川地区"]
    assert by_area == {"王子地区": 13, "赤羽地区": 14, "滝野川地区": 2, "区外": 3}


def test_section_3_counterparts_by_category(demo_office):
    counts = dict(
        Counterpart.objects.filter(contact_log__in=logs_in_period(demo_office))
        .values("category__code")
        .annotate(n=Count("id"))
        .values_list("category__code", "n")
    )
    assert sum(counts.values()) == 434
    assert counts["party-parent-mother"] == 124
    assert counts["medical-visiting-nurse"] == 51
    assert counts["medical-hospital"] == 40
    assert counts["government-staff"] == 38
    assert counts["consultation-specialist"] == 34
    assert counts["consultation-coordinator"] == 26
    assert "party-parent-father" not in counts


def test_section_4_logs_by_method(demo_office):
    counts = dict(logs_in_period(demo_office).values_list("method__code").annotate(n=Count("id")))
    assert counts == {
        "phone": 218,
        "mail": 35,
        "line": 26,
        "mcs": 14,
        "online": 14,
        "website": 1,
        "office-visit": 10,
        "visit-home": 21,
        "visit-other": 38,
        "accompany": 2,
        "post": 1,
        "meeting-case": 1,
        "meeting-council": 4,
        "meeting-other": 15,
        "other": 31,
    }


def test_section_5_activity_types_with_overlaps(demo_office):
    through = ContactLog.activity_types.through.objects.filter(contactlog__in=logs_in_period(demo_office))
    counts = dict(through.values_list("activitytype__code").annotate(n=Count("id")))
    assert sum(counts.values()) == 463
    assert counts["home-medical-nursing"] == 61
    assert counts["listening"] == 32
    assert counts["welfare-service"] == 27
    assert counts["home-medical-doctor"] == 1
    assert "abuse" not in counts
    # A log never carries the same type twice.
    assert through.values("contactlog_id", "activitytype_id").distinct().count() == 463


def test_header_business_days_and_out_of_hours(demo_office):
    calendar = demo_office.calendar()
    logs = logs_in_period(demo_office)
    events = Event.objects.for_office(demo_office).in_period(PERIOD).filter(contact_log=None)
    out_of_hours = sum(calendar.is_out_of_hours(log.occurred_on, log.started_at) for log in logs)
    out_of_hours += sum(calendar.is_out_of_hours(e.held_on, e.started_at) for e in events)

    assert len(calendar.opening_days(PERIOD.start, PERIOD.end)) == 104
    assert demo_office.schedule_label() == "月・水・金 9:00～17:00"
    assert (out_of_hours, logs.count() + events.count()) == (123, 459)


def test_sections_6_and_7_events(demo_office):
    kinds = Counter(Event.objects.for_office(demo_office).in_period(PERIOD).values_list("kind", flat=True))
    assert kinds == {"outreach": 5, "meeting": 20, "training": 3}
    lecture = Event.objects.get(held_on="2025-11-04")
    assert lecture.participants_label == "学生70名 教員4名"
    assert Event.objects.get(name="北区健康政策課").participants_label == "6名"


def test_report_summaries_give_back_the_published_text(demo_office):
    logs = logs_in_period(demo_office).filter(include_in_report=True, activity_types__code="childcare")
    text = "、".join(logs.order_by("occurred_on", "started_at").values_list("report_summary", flat=True))
    assert text == (
        "医ケア児の親からの相談（入院2か月休園で退園を求められた件）、医ケア児の保育園復帰の相談、"
        "保育園が決まった報告、難病児（医ケアなし）の保育園探しの相談など"
    )


def test_no_client_or_family_name_is_in_a_report_summary_or_organization(demo_office):
    names = set()
    for client in Client.objects.for_office(demo_office).prefetch_related("guardians"):
        names.update(client.name.split())
        names.update(g.name.split()[0] for g in client.guardians.all())
    texts = list(ContactLog.objects.exclude(report_summary="").values_list("report_summary", flat=True))
    texts += list(Counterpart.objects.exclude(organization_name="").values_list("organization_name", flat=True))
    assert not [t for t in texts if any(name in t for name in names)]


def test_a_few_hundred_providers_across_categories_and_districts():
    assert Provider.objects.count() >= 300
    assert Provider.objects.values("category").distinct().count() >= 25
    assert Provider.objects.filter(district__isnull=False).values("district").distinct().count() == 3
    assert Provider.objects.filter(district__isnull=True).exclude(municipality="").exists()


def test_one_demo_user_per_role_in_the_demo_office(demo_office):
    for username, role, _, _ in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.role == role
        # The centre (センター職員) belongs to the installation, not to an office.
        assert user.office == (None if role == Role.CENTRE else demo_office)
    assert {role for _, role, _, _ in DEMO_USERS} == set(Role)


def test_loading_the_demo_again_changes_nothing(demo_office):
    before = (ContactLog.objects.count(), Client.objects.count(), Provider.objects.count(), Event.objects.count())
    coordinator = User.objects.get(username="coordinator")
    coordinator.set_password("changed-by-the-user-1")
    coordinator.save()

    assert demo_load() is None

    assert Office.objects.count() == 1
    assert (
        ContactLog.objects.count(),
        Client.objects.count(),
        Provider.objects.count(),
        Event.objects.count(),
    ) == before
    coordinator.refresh_from_db()
    assert coordinator.check_password("changed-by-the-user-1")


def test_the_demo_is_deterministic(demo_office):
    """Build it again into a fresh database state and compare a fingerprint of the records."""

    def fingerprint():
        return (
            list(Client.objects.order_by("id").values_list("name", "birth_date", "district__code")),
            list(
                ContactLog.objects.order_by("id").values_list(
                    "occurred_on", "started_at", "method__code", "client__name"
                )
            ),
        )

    first = fingerprint()
    FollowUp.objects.all().delete()
    Referral.objects.all().delete()
    Event.objects.all().delete()
    Counterpart.objects.all().delete()
    ContactLog.objects.all().delete()
    Client.objects.all().delete()
    User.objects.update(office=None)
    Provider.objects.all().delete()
    Office.objects.all().delete()

    demo_load()

    assert fingerprint() == first


def test_demo_records_only_use_leaf_categories(demo_office):
    assert not ContactLog.objects.filter(method__children__isnull=False).exists()
    assert not Counterpart.objects.filter(category__children__isnull=False).exists()
    assert not ContactLog.activity_types.through.objects.filter(activitytype__children__isnull=False).exists()
    assert not ContactLog.objects.filter(Q(include_in_report=True) & Q(report_summary="")).exists()
