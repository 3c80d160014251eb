"""Sign-in, sign-out and each role's home page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coordination.clients.models import Client, Consent
from coordination.fiscal import fiscal_year_label, fiscal_year_of
from coordination.home.selectors import office_quarter_counts
from coordination.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_sign_in_page_is_in_japanese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="ja">' in response.content.decode()
    assert "ユーザー名" in response.content.decode()


def test_a_wrong_password_gets_a_japanese_message_and_no_session(client, coordinator):
    response = client.post(reverse("login"), {"username": "coordinator", "password": "wrong-password"})
    assert response.status_code == 200
    assert "正しいユーザー名とパスワードを入力してください" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("username", "heading"),
    [
        ("coordinator", "青木 ひかり さんのホーム"),
        ("supervisor", "北区医療的ケア児等コーディネーター事業"),
        ("ward", "機関・事業所を探す"),
        ("admin", "システム管理"),
    ],
)
def test_each_demo_user_signs_in_and_lands_on_their_home(client, demo_password, username, heading):
    response = client.post(reverse("login"), {"username": username, "password": demo_password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert heading in response.content.decode()


def test_a_coordinator_sees_their_recent_logs(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    assert "最近の記録" in response.content.decode()
    assert len(response.context["recent_logs"]) == 10
    assert all(log.coordinator == coordinator for log in response.context["recent_logs"])


def test_a_supervisor_sees_this_and_last_fiscal_year(client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("home")).content.decode()
    this_year = fiscal_year_of(timezone.localdate())
    assert f"{fiscal_year_label(this_year)}の記録件数" in page
    assert f"{fiscal_year_label(this_year - 1)}の記録件数" in page


def test_the_quarter_counts_add_up_to_the_demo_figures(demo_office):
    quarters = office_quarter_counts(demo_office, fiscal_year=2025)
    assert [q["period"].quarter_label for q in quarters] == ["第1四半期", "第2四半期", "第3四半期", "第4四半期"]
    assert sum(q["logs"] for q in quarters) == 431
    assert sum(q["events"] for q in quarters) == 28
    assert quarters[3]["logs"] == 0


def test_ward_staff_see_no_client_on_their_home(client, ward_staff):
    client.force_login(ward_staff)
    page = client.get(reverse("home")).content.decode()
    assert "訪問看護ステーション" in page
    for name in Client.objects.values_list("name", flat=True)[:32]:
        assert name not in page


def test_a_user_without_a_role_is_told_so(client, demo_office):
    user = User.objects.create_user("norole", password="a-long-password-1", office=demo_office)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "役割が設定されていません" in response.content.decode()


def test_the_home_page_needs_few_queries(client, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    # + 2 since issue 14: the count of all my open follow-ups, the referrals waiting for an answer.
    with django_assert_max_num_queries(12):
        client.get(reverse("home"))


def test_signing_out_ends_the_session(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_user_in_two_groups_gets_the_higher_role(demo_office):
    user = User.objects.create_user("both", password="a-long-password-1", office=demo_office)
    user.groups.add(Group.objects.get(name="コーディネーター"), Group.objects.get(name="管理者"))
    assert user.role == "supervisor"


def test_a_supervisor_is_told_of_referrals_past_their_answer_date_and_of_withdrawn_consents(client, supervisor):
    client.force_login(supervisor)
    today = timezone.localdate()
    office = supervisor.office
    overdue = Referral.objects.for_office(office).answer_overdue(today).count()
    assert overdue > 0  # the demo's referral sent in FY2025 still waits for its answer
    page = client.get(reverse("home")).content.decode()
    assert f"回答期限を過ぎたつなぎが {overdue}件あります。" in page
    assert f'href="{reverse("referral_list")}?overdue=on"' in page
    assert "同意が撤回された進行中のつなぎ" not in page

    referral = Referral.objects.for_office(office).answer_overdue(today).select_related("consent").first()
    Consent.objects.filter(pk=referral.consent_id).update(withdrawn_on=today)
    page = client.get(reverse("home")).content.decode()
    assert "同意が撤回された進行中のつなぎが 1件あります。" in page
    assert f'href="{reverse("referral_list")}?consent_withdrawn=on"' in page
