"""Every signed-in user changes their own password; the current one is asked first."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome

pytestmark = pytest.mark.django_db

CHANGE = reverse("password_change")
NEW_PASSWORD = "春の川べりを自転車で走る"


def change(client, current: str, new: str = NEW_PASSWORD, again: str | None = None):
    return client.post(CHANGE, {"old_password": current, "new_password1": new, "new_password2": again or new})


def test_it_requires_a_signed_in_user(client):
    response = client.get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["ward", "coordinator", "supervisor", "admin"])
def test_every_role_opens_it_from_the_header(client, django_user_model, username):
    client.force_login(django_user_model.objects.get(username=username))
    home = client.get(reverse("home")).content.decode()
    assert f'href="{CHANGE}"' in home
    page = client.get(CHANGE)
    assert page.status_code == 200
    assert "今のパスワード" in page.content.decode()
    assert "12 文字" in page.content.decode()


def test_a_user_changes_their_password_and_stays_signed_in(client, coordinator, demo_password):
    client.force_login(coordinator)
    response = change(client, demo_password)
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(coordinator.pk)
    assert "パスワードを変更しました" in client.get(reverse("home")).content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW_PASSWORD)
    assert not coordinator.check_password(demo_password)


def test_a_wrong_current_password_is_refused_in_japanese(client, coordinator, demo_password):
    client.force_login(coordinator)
    response = change(client, "not-the-password")
    assert response.status_code == 200
    assert "元のパスワードが間違っています" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.check_password(demo_password)


def test_a_weak_new_password_is_refused_with_the_validators_japanese_messages(client, coordinator, demo_password):
    client.force_login(coordinator)
    for weak, message in [
        ("short", "このパスワードは短すぎます"),
        ("password1234", "このパスワードは一般的すぎます"),
        ("coordinator-x", "と似すぎています"),
    ]:
        response = change(client, demo_password, weak)
        assert response.status_code == 200
        assert message in response.content.decode(), weak
    coordinator.refresh_from_db()
    assert coordinator.check_password(demo_password)


def test_other_sessions_of_the_user_end_when_the_password_changes(client, coordinator, demo_password):
    other = Client()
    other.force_login(coordinator)
    client.force_login(coordinator)
    change(client, demo_password)
    assert other.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 200


def test_with_two_factor_on_the_code_comes_first(client, settings, coordinator):
    settings.TSUNAGU_REQUIRE_MFA = True
    client.force_login(coordinator)
    assert client.get(CHANGE)["Location"].startswith(reverse("mfa_setup"))


def test_changing_the_password_is_recorded_in_the_access_log(client, coordinator, demo_password):
    client.force_login(coordinator)
    change(client, "not-the-password")
    change(client, demo_password)
    rows = AccessEvent.objects.filter(url_name="password_change").order_by("id")
    assert [(row.action, row.outcome, row.username) for row in rows] == [
        (Action.PASSWORD_REFUSED, Outcome.REFUSED, "coordinator"),
        (Action.PASSWORD_CHANGE, Outcome.SUCCESS, "coordinator"),
    ]
