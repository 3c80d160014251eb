"""The demo's present (demo.today): a working office on the day `load_demo` runs, never inside FY2025."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coordination.clients.models import Client
from coordination.events.models import Event
from coordination.fiscal import FiscalPeriod
from coordination.followups.models import FollowUp
from coordination.logs.models import ContactLog
from coordination.referrals.models import Referral, ReferralStep
from demo.builders import demo_load_until
from demo.today import DemoToday, activity_start, demo_today, week_end
from reporting.quarterly import build_quarterly_report
from reporting.render.json import report_to_dict
from tests.reporting.test_golden import GOLDEN, golden_rows

pytestmark = pytest.mark.django_db
FY2025_END = date(2026, 3, 31)
PERIOD = FiscalPeriod(2025, 1, 3)


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2025, 6, 1), None),  # inside FY2025: nothing is added
        (date(2026, 3, 31), None),
        (date(2026, 4, 1), date(2026, 4, 1)),
        (date(2026, 4, 10), date(2026, 4, 1)),  # six weeks back would be in FY2025
        (date(2026, 12, 7), date(2026, 4, 1)),  # the fiscal year so far
        (date(2027, 4, 20), date(2027, 3, 9)),  # early in a year: at least six weeks back
    ],
)
def test_the_present_starts_after_fy2025_and_covers_at_least_six_weeks(today, start):
    assert activity_start(today) == start


def test_a_later_run_starts_after_the_latest_log():
    assert activity_start(date(2027, 1, 20), after=date(2026, 12, 7)) == date(2026, 12, 8)
    assert activity_start(date(2026, 12, 7), after=date(2026, 12, 7)) is None


def test_on_a_day_inside_fy2025_nothing_is_added(demo_office):
    before = ContactLog.objects.count(), FollowUp.objects.count(), Referral.objects.count(), Client.objects.count()
    assert demo_today(demo_office, date(2025, 12, 1)) == []
    assert DemoToday(demo_office, date(2026, 2, 2)).build() == []
    assert (ContactLog.objects.count(), FollowUp.objects.count(), Referral.objects.count(), Client.objects.count()) == (
        before
    )


def test_the_present_of_a_day_early_in_fy2026_has_nothing_in_fy2025(demo_office):
    today = date(2026, 4, 10)
    last = {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (
            ContactLog,
            FollowUp,
            Referral,
            ReferralStep,
            Event,
        )
    }

    logs = DemoToday(demo_office, today).build()

    assert logs
    new = {model: model.objects.filter(pk__gt=pk) for model, pk in last.items()}
    assert all(FY2025_END < day <= today for day in new[ContactLog].values_list("occurred_on", flat=True))
    for due_on, done_on in new[FollowUp].values_list("due_on", "done_on"):
        assert due_on > FY2025_END and (done_on is None or FY2025_END < done_on <= today)
    assert all(FY2025_END < day <= today for day in new[ReferralStep].values_list("on", flat=True))
    assert all(FY2025_END < day <= today for day in new[Event].values_list("held_on", flat=True))
    # Follow-ups due this week (Monday to Sunday) for the coordinator who logged them.
    assert new[FollowUp].filter(done_on=None, due_on__range=(today, week_end(today))).exists()


@pytest.fixture
def loaded_today(demo_office):
    """What `load_demo` does on the day the tests run: the session's demo (FY2025) and its present.

    The suite's demo is FY2025 alone (tests count its records); here the present is added inside
    the test's transaction, dated by today's date as `make run` would.
    """
    today = timezone.localdate()
    if activity_start(today) is None:
        pytest.skip("inside FY2025 the demo adds no present")
    before = report_to_dict(build_quarterly_report(demo_office, PERIOD))
    output = io.StringIO()
    call_command("load_demo", stdout=output)  # as `make run` does
    assert "デモの「今」を追加しました" in output.getvalue()
    return today, before


def test_right_after_load_demo_the_coordinators_home_lists_follow_ups_due_this_week_and_recent_logs(
    loaded_today, client, coordinator
):
    today, _ = loaded_today
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    page = response.content.decode()

    due_this_week = [f for f in response.context["follow_ups"] if today <= f.due_on <= week_end(today)]
    assert len(due_this_week) >= 3
    for follow_up in due_this_week:
        assert f"{follow_up.due_on:%Y年}{follow_up.due_on.month}月{follow_up.due_on.day}日" in page
        assert follow_up.action in page
    assert "（期限切れ）" in page  # and a few overdue, first
    assert response.context["follow_ups"][0].due_on < today

    recent = response.context["recent_logs"]
    assert len(recent) == 10
    assert recent[0].occurred_on > today - timedelta(days=14)
    assert all(log.occurred_on > today - timedelta(days=42) for log in recent)
    assert f"{recent[0].occurred_on:%Y年}{recent[0].occurred_on.month}月{recent[0].occurred_on.day}日" in page

    # A transition coming: the demo's young person turns 18 in about six weeks.
    assert "北村 蒼空" in page and "18歳" in page

    # The supervisor sees this fiscal year at work, and only the present's few follow-ups overdue:
    # FY2025's, a year past their date, were closed.
    client.force_login(User.objects.get(username="supervisor"))
    response = client.get(reverse("home"))
    assert sum(q["logs"] for q in response.context["fiscal_years"][0]["quarters"]) > 0
    assert 0 < response.context["overdue_follow_ups"] <= 6
    assert response.context["overdue_referrals"] >= 1

    # Loading again the same day changes nothing.
    counts = ContactLog.objects.count(), FollowUp.objects.count(), Referral.objects.count(), Client.objects.count()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert "nothing changed" in output.getvalue()
    assert demo_load_until(today).logs_added == 0
    assert (ContactLog.objects.count(), FollowUp.objects.count(), Referral.objects.count(), Client.objects.count()) == (
        counts
    )


def test_with_the_present_the_fy2025_q1_q3_report_is_still_the_seed(loaded_today, demo_office):
    _, before = loaded_today
    data = report_to_dict(build_quarterly_report(demo_office, PERIOD))
    assert data == before
    assert data["business_days"] == GOLDEN["header"]["business_days"]
    for section in data["sections"][:5]:
        keys = list(section["total"])
        rows = [(tuple(row["path"]), [row[key] for key in keys]) for row in section["rows"]]
        assert rows == golden_rows(str(section["number"]))
