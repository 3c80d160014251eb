"""管理 ▸ 利用者: supervisors manage their office's users, the system admin every office's.

What a supervisor notices: the list, a new user with a role and a set-up link in one step, the
edit form and its lock, deactivation, unlocking, the authenticator reset, and Japanese messages
for bad input that change nothing. Every change is one record of the user's history.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Office, User
from accounts.roles import ROLE_GROUPS, Role
from accounts.setup_links import setup_link_user
from tests.coordination.client_factories import make_office, make_user

pytestmark = pytest.mark.django_db

USERS = reverse("office_settings:user_list")
ADD = reverse("office_settings:user_create")


def url(name, user):
    return reverse(f"office_settings:{name}", args=[user.pk])


def new_user_data(**changes):
    data = {
        "last_name": "新井",
        "first_name": "はな",
        "username": "arai",
        "email": "",
        "role": Role.COORDINATOR.value,
    }
    return {**data, **changes}


def lock_out(user):
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="192.0.2.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now() - timedelta(minutes=1),
    )


def enrol(user):
    return TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)


# --- the list ---------------------------------------------------------------------------------------


def test_a_supervisor_sees_the_users_of_their_office_with_roles_and_sign_in_state(client, supervisor, coordinator):
    lock_out(coordinator)
    enrol(coordinator)
    other = make_user(make_office("板橋区の事業所"), "b-coordinator")
    client.force_login(supervisor)
    page = client.get(USERS).content.decode()
    assert "青木 ひかり" in page and "コーディネーター" in page and "区職員" in page
    assert "ロック中" in page and "登録済み" in page
    assert other.username not in page
    assert "システム 管理者" not in page or "システム管理者" in page  # the admin is listed with its role


def test_coordinators_and_ward_staff_get_403_on_every_settings_page(client, coordinator, ward_staff, supervisor):
    pages = [
        reverse("office_settings:index"),
        USERS,
        ADD,
        url("user_detail", supervisor),
        url("user_unlock", supervisor),
    ]
    for user in (coordinator, ward_staff):
        client.force_login(user)
        for page in pages:
            assert client.get(page).status_code == 403, (user, page)
        assert client.post(ADD, new_user_data()).status_code == 403
    assert not User.objects.filter(username="arai").exists()


def test_the_admin_picks_an_office_and_sees_its_users(client, admin_user):
    office = make_office("板橋区の事業所")
    make_user(office, "b-coordinator", last_name="板橋")
    client.force_login(admin_user)
    page = client.get(f"{USERS}?office={office.pk}").content.decode()
    assert "板橋 " in page or "板橋" in page
    assert "b-coordinator" in page and "青木 ひかり" not in page
    for unknown in ("999999", "x", "9" * 10_000, "-1"):
        assert client.get(f"{USERS}?office={unknown}").status_code == 404
        assert client.post(f"{ADD}?office={unknown}", new_user_data()).status_code == 404
    assert not User.objects.filter(username="arai").exists()


def test_the_settings_index_lists_the_users_page_and_the_menu_shows_kanri(client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("office_settings:index")).content.decode()
    assert USERS in page and ">管理</a>" in page
    assert reverse("office_settings:office_list") not in page  # offices are the admin's


# --- adding a user ------------------------------------------------------------------------------------


def test_a_supervisor_adds_a_coordinator_in_one_step_and_gets_the_set_up_link(client, supervisor, demo_office):
    client.force_login(supervisor)
    response = client.post(ADD, new_user_data(email="arai@example.jp"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "新井 はな さんを追加しました" in page
    user = User.objects.get(username="arai")
    assert user.office == demo_office and user.role == Role.COORDINATOR and not user.is_superuser
    assert not user.has_usable_password() and user.email == "arai@example.jp"
    link = response.context["link"]
    assert link in page and "/account/setup/" in link
    uidb64, token = link.rstrip("/").split("/")[-2:]
    assert setup_link_user(uidb64=uidb64, token=token) == user
    record = user.history.get()
    assert record.history_type == "+" and record.history_user == supervisor
    assert record.history_change_reason == "利用者を追加（役割：コーディネーター）"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "coordinator"}, "username", "このユーザー名はすでに使われています"),
        ({"username": "COORDINATOR"}, "username", "このユーザー名はすでに使われています"),
        ({"username": ""}, "username", "ユーザー名を入力してください"),
        ({"last_name": ""}, "last_name", "姓を入力してください"),
        ({"role": ""}, "role", "役割を選んでください"),
        ({"role": Role.ADMIN.value}, "role", "正しく選択してください"),
        ({"email": "not-an-address"}, "email", "メールアドレスの形が正しくありません"),
        ({"username": "a b"}, "username", "ユーザー名"),
    ],
)
def test_bad_input_gets_a_japanese_message_and_adds_nobody(client, supervisor, changes, field, message):
    client.force_login(supervisor)
    before = User.objects.count()
    response = client.post(ADD, new_user_data(**changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "まだ保存されていません" in response.content.decode()
    assert User.objects.count() == before


def test_the_admin_adds_a_user_to_the_office_picked_and_may_make_a_system_admin(client, admin_user):
    office = make_office("板橋区の事業所")
    client.force_login(admin_user)
    response = client.post(f"{ADD}?office={office.pk}", new_user_data(username="b-admin", role=Role.ADMIN.value))
    assert response.status_code == 200
    made = User.objects.get(username="b-admin")
    assert made.office == office and made.is_superuser and made.role == Role.ADMIN


def test_the_admin_creates_an_office(client, admin_user, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("office_settings:office_create")).status_code == 403
    client.force_login(admin_user)
    data = {"name": "板橋区医療的ケア児等コーディネーター事業", "municipality": "板橋区"}
    response = client.post(reverse("office_settings:office_create"), data)
    office = Office.objects.get(name=data["name"])
    assert response.status_code == 302 and response["Location"] == f"{USERS}?office={office.pk}"
    again = client.post(reverse("office_settings:office_create"), data)
    assert again.status_code == 400 and "同じ名前の事業所がすでにあります" in again.content.decode()
    assert Office.objects.filter(name=data["name"]).count() == 1


# --- editing ------------------------------------------------------------------------------------------


def edit_data(user, **changes):
    data = {
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "role": user.role.value,
        "version": user.version,
    }
    return {**data, **changes}


def test_a_supervisor_changes_a_role_and_the_history_says_so(client, supervisor, coordinator):
    client.force_login(supervisor)
    response = client.post(url("user_update", coordinator), edit_data(coordinator, role=Role.SUPERVISOR.value))
    assert response.status_code == 302
    coordinator = User.objects.get(pk=coordinator.pk)
    assert coordinator.role == Role.SUPERVISOR and coordinator.version == 2
    assert list(coordinator.groups.values_list("name", flat=True)) == [ROLE_GROUPS[Role.SUPERVISOR]]
    page = client.get(url("user_detail", coordinator)).content.decode()
    assert "役割を変更（コーディネーター → 管理者）" in page and "松田 ゆう" in page


def test_a_supervisor_cannot_give_the_system_admin_role(client, supervisor, coordinator):
    client.force_login(supervisor)
    response = client.post(url("user_update", coordinator), edit_data(coordinator, role=Role.ADMIN.value))
    assert response.status_code == 400
    coordinator.refresh_from_db()
    assert not coordinator.is_superuser and coordinator.version == 1


def test_a_supervisor_cannot_change_their_own_role(client, supervisor):
    client.force_login(supervisor)
    page = client.get(url("user_update", supervisor)).content.decode()
    assert "自分自身の役割は変更できません" in page
    response = client.post(url("user_update", supervisor), edit_data(supervisor, role=Role.COORDINATOR.value))
    assert response.status_code == 302  # the name is saved; the disabled role field keeps the role
    supervisor = User.objects.get(pk=supervisor.pk)
    assert supervisor.role == Role.SUPERVISOR


def test_a_stale_edit_is_refused_with_what_the_other_person_saved(client, supervisor, coordinator):
    client.force_login(supervisor)
    first = edit_data(coordinator, last_name="青木（旧姓）")
    stale = edit_data(coordinator, last_name="青山")
    assert client.post(url("user_update", coordinator), first).status_code == 302
    response = client.post(url("user_update", coordinator), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "ほかの人がこの利用者の情報を先に更新しました" in page and "青木（旧姓）" in page
    coordinator.refresh_from_db()
    assert coordinator.last_name == "青木（旧姓）" and coordinator.version == 2


# --- deactivate, unlock, reset ------------------------------------------------------------------------


def test_deactivate_asks_first_then_the_user_cannot_sign_in_and_nothing_is_deleted(
    client, supervisor, coordinator, demo_password
):
    client.force_login(supervisor)
    confirm = client.get(url("user_deactivate", coordinator)).content.decode()
    assert "ログインできなくなり" in confirm
    coordinator.refresh_from_db()
    assert coordinator.is_active
    response = client.post(url("user_deactivate", coordinator), {"version": coordinator.version})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert not coordinator.is_active
    client.logout()
    client.post(reverse("login"), {"username": "coordinator", "password": demo_password})
    assert "_auth_user_id" not in client.session
    client.force_login(supervisor)
    client.post(url("user_reactivate", coordinator), {"version": coordinator.version})
    coordinator.refresh_from_db()
    assert coordinator.is_active
    reasons = list(coordinator.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["有効に戻しました", "無効にしました（ログインできません）"]


def test_a_supervisor_cannot_deactivate_themselves(client, supervisor):
    client.force_login(supervisor)
    assert "自分自身を無効にすることはできません" in client.get(url("user_deactivate", supervisor)).content.decode()
    response = client.post(url("user_deactivate", supervisor), {"version": supervisor.version})
    assert response.status_code == 400
    supervisor.refresh_from_db()
    assert supervisor.is_active


def test_a_stale_confirmation_changes_nothing(client, supervisor, coordinator):
    client.force_login(supervisor)
    response = client.post(url("user_deactivate", coordinator), {"version": coordinator.version + 5}, follow=True)
    assert "ほかの人が先にこの利用者を更新しました" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_unlock_ends_a_lockout(client, supervisor, coordinator, demo_password):
    lock_out(coordinator)
    client.force_login(supervisor)
    assert "ロック中" in client.get(url("user_detail", coordinator)).content.decode()
    assert client.post(url("user_unlock", coordinator), {"version": coordinator.version}).status_code == 302
    assert not AccessAttempt.objects.filter(username="coordinator").exists()
    client.logout()
    response = client.post(reverse("login"), {"username": "coordinator", "password": demo_password})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(coordinator.pk)
    assert coordinator.history.first().history_change_reason == "ロックアウトを解除"


def test_resetting_the_authenticator_needs_a_reason_then_deletes_the_app(client, supervisor, coordinator):
    enrol(coordinator)
    client.force_login(supervisor)
    refused = client.post(url("user_authenticator_reset", coordinator), {"version": coordinator.version, "reason": " "})
    assert refused.status_code == 400 and "リセットの理由を入力してください" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=coordinator).exists()
    data = {"version": coordinator.version, "reason": "スマートフォンを機種変更したため"}
    assert client.post(url("user_authenticator_reset", coordinator), data).status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    page = client.get(url("user_detail", coordinator)).content.decode()
    assert "認証アプリをリセット（理由：スマートフォンを機種変更したため）" in page


def test_a_new_set_up_link_ends_the_old_password(client, supervisor, coordinator):
    client.force_login(supervisor)
    response = client.post(url("user_setup_link", coordinator), {"version": coordinator.version})
    assert response.status_code == 200 and "/account/setup/" in response.context["link"]
    coordinator.refresh_from_db()
    assert not coordinator.has_usable_password()


# --- another office -----------------------------------------------------------------------------------


def test_a_supervisor_cannot_manage_the_system_admin_of_their_office(client, supervisor, admin_user):
    client.force_login(supervisor)
    assert client.get(url("user_detail", admin_user)).status_code == 404


def test_a_sign_in_writes_no_history_record(client, coordinator, demo_password):
    before = coordinator.history.count()
    client.post(reverse("login"), {"username": "coordinator", "password": demo_password})
    assert coordinator.history.count() == before


def test_the_roles_are_groups_with_japanese_names():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS.values())


def test_opening_a_users_page_is_in_the_access_log_and_another_offices_user_is_a_refusal(
    client, supervisor, coordinator
):
    from audit.models import AccessEvent, Action, Outcome

    other = make_user(make_office("板橋区の事業所"), "b-coordinator")
    client.force_login(supervisor)
    client.get(url("user_detail", coordinator))
    client.get(url("user_detail", other))
    events = list(AccessEvent.objects.filter(url_name="office_settings:user_detail").order_by("id"))
    assert [(e.action, e.outcome, e.object_ids) for e in events] == [
        (Action.VIEW, Outcome.SUCCESS, {"pk": coordinator.pk}),
        (Action.REFUSED, Outcome.REFUSED, {"pk": other.pk}),
    ]
