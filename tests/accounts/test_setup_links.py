"""New users set their own password from a one-time link; the admin never types or knows one."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.roles import ROLE_GROUPS, Role
from accounts.setup_links import setup_link_issue, setup_link_tokens
from audit.models import AccessEvent, Action, Outcome

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "みどりの木の下で朝ごはん"
ADD = reverse("admin:accounts_user_add")


def shown_link(response) -> str:
    """The set-up link the admin's page shows once, as a path."""
    found = re.search(r"<code>https?://[^/]+(/account/setup/[^<]+)</code>", response.content.decode())
    assert found, "no set-up link on the page"
    return found.group(1)


def set_password(client, link: str, password: str = NEW_PASSWORD, again: str | None = None):
    """Open the link and send the form; returns the form's answer."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    return client.post(opened["Location"], {"new_password1": password, "new_password2": again or password})


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def newcomer(db, demo_office) -> User:
    user = User.objects.create(username="tanaka", last_name="田中", first_name="花子", office=demo_office)
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[Role.COORDINATOR]))
    return user


@pytest.fixture
def link(newcomer) -> str:
    return setup_link_issue(user=newcomer).path


# --- the admin issues links -----------------------------------------------------------------------


def test_the_admins_add_form_has_no_password_fields(client, admin_user):
    client.force_login(admin_user)
    page = client.get(ADD)
    assert page.status_code == 200
    assert not {"password1", "password2", "usable_password"} & set(page.context["adminform"].form.fields)
    assert 'type="password"' not in page.content.decode()
    assert "パスワードは入力しません" in page.content.decode()


def test_creating_a_user_gives_an_unusable_password_and_a_set_up_link_shown_once(client, admin_user, demo_office):
    client.force_login(admin_user)
    response = client.post(
        ADD, {"username": "suzuki", "last_name": "鈴木", "first_name": "一郎", "office": demo_office.pk}, follow=True
    )
    assert response.status_code == 200
    user = User.objects.get(username="suzuki")
    assert not user.has_usable_password()
    page = response.content.decode()
    assert "初期設定用リンクを発行しました" in page
    assert "1回だけ使えます" in page
    assert "本人が初期設定用リンクから設定します" in page
    link = shown_link(response)
    # Shown once: the user's page opened again has no link.
    assert "/account/setup/" not in client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    client.logout()
    assert set_password(client, link)["Location"] == reverse("login")


def test_issuing_a_new_link_ends_the_old_password_and_the_earlier_link(client, admin_user, coordinator, demo_password):
    first = setup_link_issue(user=coordinator).path
    client.force_login(admin_user)
    issue = reverse("admin:accounts_user_setup_link", args=[coordinator.pk])
    confirm = client.get(issue)
    assert confirm.status_code == 200
    assert "今のパスワードと、これまでに発行したリンクは使えなくなります" in confirm.content.decode()
    assert "/account/setup/" not in confirm.content.decode()  # a GET issues nothing
    response = client.post(issue, follow=True)
    second = shown_link(response)
    client.logout()

    assert sign_in(client, "coordinator", demo_password).status_code == 200
    assert client.get(first).status_code == 400
    assert set_password(client, second).status_code == 302


def test_the_admin_cannot_set_a_users_password_in_django_admin(client, admin_user, coordinator, demo_password):
    client.force_login(admin_user)
    change_page = client.get(reverse("admin:accounts_user_change", args=[coordinator.pk])).content.decode()
    assert "password/" not in change_page
    assert "初期設定用リンクを発行" in change_page
    url = reverse("admin:auth_user_password_change", args=[coordinator.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "admin-knows-this-one", "password2": "admin-knows-this-one"})
    assert response.status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.check_password(demo_password)


def test_a_link_for_an_unknown_user_is_not_found(client, admin_user):
    client.force_login(admin_user)
    for id in ["999999", "abc"]:
        assert client.post(reverse("admin:accounts_user_setup_link", args=[id])).status_code == 404


def test_only_admins_issue_links(client, supervisor, coordinator):
    client.force_login(supervisor)
    response = client.post(reverse("admin:accounts_user_setup_link", args=[coordinator.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    coordinator.refresh_from_db()
    assert coordinator.has_usable_password()


# --- the new user uses the link -------------------------------------------------------------------


def test_the_link_sets_the_password_once_and_the_user_signs_in_with_it(client, newcomer, link):
    page = client.get(client.get(link)["Location"])
    assert page.status_code == 200
    assert "パスワードの設定" in page.content.decode()
    assert "tanaka" in page.content.decode()
    assert "12 文字" in page.content.decode()  # the validators' help, in Japanese

    answer = set_password(client, link)
    assert answer["Location"] == reverse("login")
    assert (
        "ユーザー名「tanaka」と新しいパスワードでログインしてください" in client.get(reverse("login")).content.decode()
    )
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)

    again = set_password(client, link, "また別のパスワードにしたい")
    assert again.status_code == 400
    assert "新しい初期設定用リンクの発行を依頼してください" in again.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    assert sign_in(client, "tanaka", NEW_PASSWORD).status_code == 302


def test_the_page_of_a_used_link_refuses_a_second_post_in_the_same_session(client, newcomer, link):
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.post(
        form_url, {"new_password1": "また別のパスワードにしたい", "new_password2": "また別のパスワードにしたい"}
    )
    assert response.status_code == 400
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused_and_changes_nothing(client, newcomer, link, settings, monkeypatch):
    settings.TSUNAGU_SETUP_LINK_HOURS = 72
    real_now = setup_link_tokens._now()
    monkeypatch.setattr(setup_link_tokens, "_now", lambda: real_now + timedelta(hours=71, minutes=59))
    assert client.get(link).status_code == 302
    monkeypatch.setattr(setup_link_tokens, "_now", lambda: real_now + timedelta(hours=72, minutes=1))
    response = set_password(client, link)
    assert response.status_code == 400
    assert "有効期限" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_the_lifetime_follows_the_setting(client, link, settings, monkeypatch):
    settings.TSUNAGU_SETUP_LINK_HOURS = 1
    real_now = setup_link_tokens._now()
    monkeypatch.setattr(setup_link_tokens, "_now", lambda: real_now + timedelta(hours=2))
    assert client.get(link).status_code == 400


@pytest.mark.parametrize(
    "forge",
    [
        lambda link: link.replace(link.split("/")[-2], "c4v5b6-" + "0" * 32),  # a made-up token
        lambda link: link.replace(link.split("/")[-3], "MQ"),  # another user's id
        lambda link: link.replace(link.split("/")[-3], "!!!"),  # no id at all
        lambda link: link.rsplit("/", 2)[0] + "/set-password/",  # the form without having opened a link
    ],
)
def test_a_forged_link_is_refused_with_a_japanese_page(client, newcomer, link, forge):
    response = set_password(client, forge(link))
    assert response.status_code == 400
    assert "このリンクは使えません" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_a_reset_token_of_djangos_own_is_no_set_up_link(client, newcomer, link):
    from django.contrib.auth.tokens import default_token_generator

    response = set_password(client, link.replace(link.split("/")[-2], default_token_generator.make_token(newcomer)))
    assert response.status_code == 400


def test_a_weak_password_is_refused_with_the_validators_japanese_messages(client, newcomer, link):
    response = set_password(client, link, "short")
    assert response.status_code == 200
    assert "このパスワードは短すぎます" in response.content.decode()
    mismatch = set_password(client, link, NEW_PASSWORD, again=NEW_PASSWORD + "x")
    assert "確認用パスワードが一致しません" in mismatch.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_an_inactive_users_link_is_refused(client, newcomer, link):
    newcomer.is_active = False
    newcomer.save()
    assert client.get(link).status_code == 400


def test_after_set_up_a_coordinator_is_sent_to_enrol_an_authenticator_app(client, settings, newcomer, link):
    settings.TSUNAGU_REQUIRE_MFA = True
    set_password(client, link)
    signed_in = sign_in(client, "tanaka", NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert client.get(signed_in["Location"])["Location"].startswith(reverse("mfa_setup"))
    assert "2段階認証の設定" in client.get(reverse("mfa_setup")).content.decode()


def test_setting_the_password_is_recorded_in_the_access_log_and_the_token_is_not(client, newcomer, link):
    set_password(client, link, "short")
    set_password(client, link)
    set_password(client, link)  # used: refused
    rows = list(AccessEvent.objects.filter(url_name="account_setup").order_by("id"))
    assert [(row.action, row.outcome) for row in rows] == [
        (Action.PASSWORD_REFUSED, Outcome.REFUSED),
        (Action.PASSWORD_SET, Outcome.SUCCESS),
    ]
    token = link.split("/")[-2]
    assert all(token not in row.path and token not in str(row.object_ids) for row in rows)
