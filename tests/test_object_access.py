"""Object level: a user of one office gets 404 for every object URL of another office.

Querysets are scoped in one place (`Model.objects.for_office(request.user.office)`); these tests
walk every URL that names a client, log, event, report version, referral, consent, follow-up or need,
from both sides, and post to every endpoint that writes with another office's ids: nothing changes.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from coordination.clients.models import Consent, ConsentMethod
from coordination.events.models import Event, EventKind
from coordination.followups import services as follow_up_services
from coordination.followups.models import FollowUp
from coordination.needs.models import Need, NeedStatus
from coordination.referrals.models import SharedItem
from coordination.referrals.states import ReferralState
from directory.models import ProviderCategory
from reporting.models import ReportFile, ReportVersion
from tests.coordination.client_factories import make_client, make_log, make_office, make_user
from tests.coordination.need_factories import make_need
from tests.coordination.referral_factories import make_consent, make_referral

pytestmark = pytest.mark.django_db

PERIOD = "fiscal_year=2025&quarters=1-3"
TODAY = timezone.localdate()
TODAY_TEXT = f"{TODAY:%Y/%m/%d}"

# Every GET of an object page, built from office B's objects (see `office_b`).
URLS = {
    "client_detail": lambda b: reverse("client_detail", args=[b["client"].pk]),
    "client_update": lambda b: reverse("client_update", args=[b["client"].pk]),
    "log_detail": lambda b: reverse("log_detail", args=[b["log"].pk]),
    "log_update": lambda b: reverse("log_update", args=[b["log"].pk]),
    "event_detail": lambda b: reverse("event_detail", args=[b["event"].pk]),
    "event_update": lambda b: reverse("event_update", args=[b["event"].pk]),
    "report_version": lambda b: (
        f"{reverse('reporting:download', args=['json'])}?{PERIOD}&version={b['report_version'].number}"
    ),
    "report_file_status": lambda b: reverse("reporting:file_status", args=[b["report_file"].pk]),
    "referral_detail": lambda b: reverse("referral_detail", args=[b["referral"].pk]),
    "referral_update": lambda b: reverse("referral_update", args=[b["referral"].pk]),
    "referral_move": lambda b: reverse("referral_move", args=[b["referral"].pk, ReferralState.REQUESTED]),
    "referral_override": lambda b: reverse("referral_override", args=[b["referral"].pk]),
    "consent_create": lambda b: reverse("consent_create", args=[b["client"].pk]),
    "consent_withdraw": lambda b: reverse("consent_withdraw", args=[b["client"].pk, b["consent"].pk]),
    "follow_up_update": lambda b: reverse("follow_up_update", args=[b["follow_up"].pk]),
    "follow_up_create?client": lambda b: f"{reverse('follow_up_create')}?client={b['client'].pk}",
    "follow_up_create?log": lambda b: f"{reverse('follow_up_create')}?log={b['log'].pk}",
    "follow_up_create?referral": lambda b: f"{reverse('follow_up_create')}?referral={b['referral'].pk}",
    "need_detail": lambda b: reverse("need_detail", args=[b["need"].pk]),
    "need_update": lambda b: reverse("need_update", args=[b["need"].pk]),
    "need_from_log": lambda b: reverse("need_from_log", args=[b["log"].pk]),
    "access_log?client": lambda b: f"{reverse('access_log')}?client={b['client'].pk}",
    "access_log_export?client": lambda b: f"{reverse('access_log_export', args=['csv'])}?client={b['client'].pk}",
}
# Pages that write, which supervisors may not open in any office (403, see config/access.py).
WRITES = {
    "client_update",
    "log_update",
    "event_update",
    "referral_update",
    "referral_move",
    "consent_create",
    "consent_withdraw",
    "follow_up_update",
    "follow_up_create?client",
    "follow_up_create?log",
    "follow_up_create?referral",
}
# The supervisor's consent override, which coordinators may not open in any office.
SUPERVISORS_ONLY = {"referral_override", "access_log?client", "access_log_export?client"}


def refused_first(role: str, name: str) -> bool:
    """The permission check refuses the role this page whatever the office (403 before any lookup)."""
    return (role == "supervisor" and name in WRITES) or (role == "coordinator" and name in SUPERVISORS_ONLY)


@pytest.fixture
def office_b():
    """Office B with its own coordinator and supervisor, a client, a log, an event, a 準備中 referral,
    a consent in force, an open follow-up and a done one (its finalized report: `with_report`)."""
    office = make_office("板橋区医療的ケア児等コーディネーター事業")
    coordinator = make_user(office, "b-coordinator", Role.COORDINATOR)
    supervisor = make_user(office, "b-supervisor", Role.SUPERVISOR)
    person = make_client(office)
    log = make_log(person, coordinator, date(2025, 6, 2))
    event = Event.objects.create(office=office, kind=EventKind.MEETING, name="板橋区の協議会", held_on=date(2025, 6, 2))
    referral = make_referral(office, coordinator, client=person)
    consent = make_consent(person, coordinator, categories=[ProviderCategory.objects.get(code="nursery")])
    need = make_need(office, coordinator, title="板橋区のニーズ")
    # A report file the background worker is making for the office (the 作成中 page asks its status).
    report_file = ReportFile.objects.create(
        key="office-b-draft-pdf",
        office=office,
        kind="quarterly",
        fiscal_year=2025,
        first_quarter=1,
        last_quarter=3,
        format="pdf",
        source={},
    )
    follow_up = follow_up_services.follow_up_create(
        office=office, created_by=coordinator, action="板橋区の対応", due_on=TODAY, client=person, contact_log=log
    )
    done = follow_up_services.follow_up_create(
        office=office, created_by=coordinator, action="済んだ対応", client=person, referral=referral
    )
    done = follow_up_services.follow_up_done(
        follow_up=done, expected_version=1, user=coordinator, done_on=TODAY, outcome="済んだ"
    )
    return {
        "office": office,
        "coordinator": coordinator,
        "supervisor": supervisor,
        "client": person,
        "log": log,
        "event": event,
        "referral": referral,
        "consent": consent,
        "follow_up": follow_up,
        "done_follow_up": done,
        "need": need,
        "report_file": report_file,
    }


def with_report(request, office_b: dict, name: str) -> dict:
    """Office B's objects, with its finalized report when the page is the report version's (slow to make)."""
    if name == "report_version":
        client = request.getfixturevalue("client")
        client.force_login(office_b["supervisor"])
        client.post(f"{reverse('reporting:finalize')}?{PERIOD}")
        client.logout()
        office_b["report_version"] = ReportVersion.objects.get(report__office=office_b["office"])
    return office_b


def test_office_b_has_a_finalized_report_and_office_a_has_none_of_that_number(request, demo_office, office_b):
    assert with_report(request, office_b, "report_version")["report_version"].number == 1
    assert not ReportVersion.objects.filter(report__office=demo_office).exists()


@pytest.mark.parametrize("username", ["coordinator", "supervisor", "admin"])
@pytest.mark.parametrize("name", URLS)
def test_a_user_of_office_a_gets_404_for_every_object_url_of_office_b(
    request, client, django_user_model, office_b, name, username
):
    url = URLS[name](with_report(request, office_b, name))
    client.force_login(django_user_model.objects.get(username=username))
    expected = 403 if refused_first(username, name) else 404
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("role", ["coordinator", "supervisor"])
@pytest.mark.parametrize("name", URLS)
def test_a_user_of_office_b_opens_its_own_objects(request, client, office_b, name, role):
    url = URLS[name](with_report(request, office_b, name))
    client.force_login(office_b[role])
    expected = 403 if refused_first(role, name) else 200
    assert client.get(url).status_code == expected


def test_the_follow_up_form_of_office_b_names_what_its_link_named(client, office_b):
    client.force_login(office_b["coordinator"])
    page = client.get(URLS["follow_up_create?referral"](office_b)).text
    assert f'name="referral" value="{office_b["referral"].pk}"' in page
    assert f'name="client" value="{office_b["client"].pk}"' in page


# --- posts with office B's ids: 404 for office A, nothing changes; the same post by office B does --------


def _version(key):
    def read(b):
        thing = b[key]
        thing.refresh_from_db()
        return thing.version

    return read


def _referral_state(b):
    referral = b["referral"]
    referral.refresh_from_db()
    return (
        referral.state,
        referral.version,
        referral.purpose,
        referral.consent_override_reason,
        referral.steps.count(),
    )


def _follow_up_state(key):
    def read(b):
        follow_up = b[key]
        follow_up.refresh_from_db()
        return (follow_up.action, follow_up.done_on, follow_up.outcome, follow_up.version)

    return read


def _consent_state(b):
    consent = b["consent"]
    consent.refresh_from_db()
    return (consent.withdrawn_on, consent.version, Consent.objects.filter(client=b["client"]).count())


def _need_state(b):
    need = b["need"]
    need.refresh_from_db()
    return (need.title, need.status, need.version, need.logs.count(), need.notes.count(), Need.objects.count())


def _follow_up_count(b):
    return FollowUp.objects.count()


# name → (the role that posts, URL, data for the poster, what the post would change)
POSTS = {
    "referral_update": (
        "coordinator",
        lambda b: reverse("referral_update", args=[b["referral"].pk]),
        lambda b, user: {
            "provider": b["referral"].provider_id,
            "purpose": "書き換え",
            "shared_items": [SharedItem.IDENTITY],
            "coordinator": user.pk,
            "version": 1,
        },
        _referral_state,
    ),
    "referral_move": (
        "coordinator",
        lambda b: reverse("referral_move", args=[b["referral"].pk, ReferralState.CANCELLED]),
        lambda b, user: {"on": TODAY_TEXT, "note": "取り消し", "version": 1},
        _referral_state,
    ),
    "referral_override": (
        "supervisor",
        lambda b: reverse("referral_override", args=[b["referral"].pk]),
        lambda b, user: {"reason": "緊急の受け入れ調整のため", "version": 1},
        _referral_state,
    ),
    "consent_create": (
        "coordinator",
        lambda b: reverse("consent_create", args=[b["client"].pk]),
        lambda b, user: {
            "given_on": TODAY_TEXT,
            "expires_on": "",
            "categories": [ProviderCategory.objects.get(code="visiting-nurse").pk],
            "given_by": "母",
            "method": ConsentMethod.WRITTEN,
            "scope_note": "",
        },
        _consent_state,
    ),
    "consent_withdraw": (
        "coordinator",
        lambda b: reverse("consent_withdraw", args=[b["client"].pk, b["consent"].pk]),
        lambda b, user: {"withdrawn_on": TODAY_TEXT, "note": "電話で撤回", "version": 1},
        _consent_state,
    ),
    "follow_up_update": (
        "coordinator",
        lambda b: reverse("follow_up_update", args=[b["follow_up"].pk]),
        lambda b, user: {"action": "書き換え", "due_on": "", "assignee": user.pk, "version": 1},
        _follow_up_state("follow_up"),
    ),
    "follow_up_done": (
        "coordinator",
        lambda b: reverse("follow_up_done", args=[b["follow_up"].pk]),
        lambda b, user: {"done_on": TODAY_TEXT, "outcome": "済んだ", "version": 1},
        _follow_up_state("follow_up"),
    ),
    "follow_up_reopen": (
        "coordinator",
        lambda b: reverse("follow_up_reopen", args=[b["done_follow_up"].pk]),
        lambda b, user: {"version": b["done_follow_up"].version},
        _follow_up_state("done_follow_up"),
    ),
    "need_update": (
        "coordinator",
        lambda b: reverse("need_update", args=[b["need"].pk]),
        lambda b, user: {"title": "書き換え", "category": b["need"].category_id, "version": 1},
        _need_state,
    ),
    "need_move": (
        "supervisor",
        lambda b: reverse("need_move", args=[b["need"].pk]),
        lambda b, user: {"status": NeedStatus.CONSIDERING, "on": TODAY_TEXT, "text": "検討を始めた", "version": 1},
        _need_state,
    ),
    "need_from_log add": (
        "coordinator",
        lambda b: reverse("need_from_log", args=[b["log"].pk]),
        lambda b, user: {"action": "add", "need": b["need"].pk},
        _need_state,
    ),
    "need_from_log create": (
        "coordinator",
        lambda b: reverse("need_from_log", args=[b["log"].pk]),
        lambda b, user: {"action": "create", "title": "新しいニーズ", "category": b["need"].category_id},
        _need_state,
    ),
    **{
        f"follow_up_create {key}": (
            "coordinator",
            lambda b: reverse("follow_up_create"),
            lambda b, user, key=key, thing=thing: {
                "action": "書き換え",
                "due_on": "",
                "assignee": user.pk,
                key: b[thing].pk,
            },
            _follow_up_count,
        )
        for key, thing in (("client", "client"), ("log", "log"), ("referral", "referral"))
    },
}


@pytest.mark.parametrize("as_admin", [False, True], ids=["same-role", "admin"])
@pytest.mark.parametrize("name", POSTS)
def test_a_user_of_office_a_changes_nothing_of_office_b_by_posting(client, django_user_model, office_b, name, as_admin):
    role, url, data, state = POSTS[name]
    user = django_user_model.objects.get(username="admin" if as_admin else role)
    before = state(office_b)
    client.force_login(user)
    assert client.post(url(office_b), data(office_b, user)).status_code == 404
    assert state(office_b) == before


@pytest.mark.parametrize("name", POSTS)
def test_the_same_post_by_office_b_changes_its_own_object(client, office_b, name):
    """The control: the posts above are well-formed, so their 404 is the office check, not a bad form."""
    role, url, data, state = POSTS[name]
    before = state(office_b)
    client.force_login(office_b[role])
    assert client.post(url(office_b), data(office_b, office_b[role])).status_code == 302
    assert state(office_b) != before


@pytest.mark.parametrize("name", ["client_update", "log_update", "event_update"])
def test_a_coordinator_of_office_a_cannot_change_office_b_objects_by_posting(client, coordinator, office_b, name):
    client.force_login(coordinator)
    assert client.post(URLS[name](office_b), {"name": "書き換え"}).status_code == 404
    office_b["client"].refresh_from_db()
    office_b["event"].refresh_from_db()
    assert office_b["client"].name == "山田 花子" and office_b["event"].name == "板橋区の協議会"


# --- consents under the wrong client; follow-up links mixing offices ----------------------------------


def test_a_consent_of_another_client_of_the_same_office_is_not_found_under_a_clients_url(client, office_b):
    sibling = make_client(office_b["office"], "山田 次郎", "ヤマダ ジロウ")
    wrong = reverse("consent_withdraw", args=[sibling.pk, office_b["consent"].pk])
    client.force_login(office_b["coordinator"])
    assert client.get(wrong).status_code == 404
    data = {"withdrawn_on": TODAY_TEXT, "note": "", "version": 1}
    assert client.post(wrong, data).status_code == 404
    assert _consent_state(office_b) == (None, 1, 1)


def test_office_a_cannot_withdraw_office_b_consent_under_its_own_client_nor_its_own_under_office_b_client(
    client, coordinator, demo_office, office_b
):
    mine = make_client(demo_office, "北区 一郎", "キタク イチロウ")
    my_consent = make_consent(mine, coordinator)
    client.force_login(coordinator)
    data = {"withdrawn_on": TODAY_TEXT, "note": "", "version": 1}
    for url in (
        reverse("consent_withdraw", args=[mine.pk, office_b["consent"].pk]),
        reverse("consent_withdraw", args=[office_b["client"].pk, my_consent.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    my_consent.refresh_from_db()
    assert my_consent.withdrawn_on is None and _consent_state(office_b) == (None, 1, 1)


def test_a_follow_up_for_office_a_client_cannot_link_office_b_log_or_referral(
    client, coordinator, demo_office, office_b
):
    mine = make_client(demo_office, "北区 一郎", "キタク イチロウ")
    client.force_login(coordinator)
    count = FollowUp.objects.count()
    for key in ("log", "referral"):
        query = f"?client={mine.pk}&{key}={office_b[key].pk}"
        assert client.get(reverse("follow_up_create") + query).status_code == 404, key
        data = {
            "action": "書き換え",
            "due_on": "",
            "assignee": coordinator.pk,
            "client": mine.pk,
            key: office_b[key].pk,
        }
        assert client.post(reverse("follow_up_create"), data).status_code == 404, key
    assert FollowUp.objects.count() == count


# --- 管理 ▸ 利用者: a user of office B is office B's (the system admin manages every office) ----------

USER_PAGES = [
    "user_detail",
    "user_update",
    "user_deactivate",
    "user_reactivate",
    "user_unlock",
    "user_authenticator_reset",
    "user_setup_link",
]


def _user_url(name, user):
    return reverse(f"office_settings:{name}", args=[user.pk])


@pytest.mark.parametrize("name", USER_PAGES)
def test_a_supervisor_of_office_a_gets_404_on_office_b_users_and_office_b_supervisor_opens_them(
    client, supervisor, admin_user, office_b, name
):
    url = _user_url(name, office_b["coordinator"])
    client.force_login(supervisor)
    assert client.get(url).status_code == 404
    client.force_login(office_b["supervisor"])
    assert client.get(url).status_code == 200
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", USER_PAGES)
def test_coordinators_get_403_on_the_user_pages_whatever_the_office(client, coordinator, office_b, name):
    client.force_login(coordinator)
    assert client.get(_user_url(name, office_b["coordinator"])).status_code == 403
    client.force_login(office_b["coordinator"])
    assert client.get(_user_url(name, office_b["supervisor"])).status_code == 403


def _user_state(b):
    user = b["coordinator"]
    user.refresh_from_db()
    return (user.last_name, user.is_active, user.version, user.has_usable_password(), user.role)


# name → data of the post (the version read is 1)
USER_POSTS = {
    "user_update": {"last_name": "書き換え", "first_name": "", "email": "", "role": "supervisor", "version": 1},
    "user_deactivate": {"version": 1},
    "user_unlock": {"version": 1},
    "user_authenticator_reset": {"version": 1, "reason": "紛失"},
    "user_setup_link": {"version": 1},
}


@pytest.mark.parametrize("name", USER_POSTS)
def test_a_supervisor_of_office_a_changes_nothing_of_office_b_users_by_posting(client, supervisor, office_b, name):
    before = _user_state(office_b)
    client.force_login(supervisor)
    assert client.post(_user_url(name, office_b["coordinator"]), USER_POSTS[name]).status_code == 404
    assert _user_state(office_b) == before


@pytest.mark.parametrize("name", USER_POSTS)
def test_the_same_user_post_by_office_b_supervisor_is_accepted(client, office_b, name):
    """The control: the posts above are well-formed, so their 404 is the office check."""
    client.force_login(office_b["supervisor"])
    response = client.post(_user_url(name, office_b["coordinator"]), USER_POSTS[name])
    assert response.status_code in (200, 302)
    assert office_b["coordinator"].history.filter(history_user=office_b["supervisor"]).exists()


def test_a_supervisor_of_office_a_cannot_add_a_user_to_office_b(client, supervisor, office_b):
    client.force_login(supervisor)
    data = {"last_name": "侵入", "username": "intruder", "role": "coordinator", "email": ""}
    response = client.post(f"{reverse('office_settings:user_create')}?office={office_b['office'].pk}", data)
    # A supervisor's office is their own whatever `?office=` says.
    assert response.status_code == 200
    assert User.objects.get(username="intruder").office == supervisor.office


# --- office settings: the office is the user's own; naming another (`?office=`) is a 404 -----------------

SETTINGS_PAGES = {
    "office_calendar:calendar": "month=2025-11",
    "office_calendar:hours": "",
    "office_calendar:office": "",
    "district_settings:index": "",
}


def _settings_url(name: str, office, extra: str = "") -> str:
    query = "&".join(part for part in (extra, f"office={office.pk}") if part)
    return f"{reverse(name)}?{query}"


@pytest.mark.parametrize("name", SETTINGS_PAGES)
def test_a_supervisor_of_office_a_gets_404_on_office_b_settings(client, supervisor, office_b, name):
    client.force_login(supervisor)
    assert client.get(_settings_url(name, office_b["office"], SETTINGS_PAGES[name])).status_code == 404


@pytest.mark.parametrize("name", SETTINGS_PAGES)
def test_office_b_supervisor_opens_its_own_settings_and_its_coordinator_is_refused(client, office_b, name):
    url = _settings_url(name, office_b["office"], SETTINGS_PAGES[name])
    client.force_login(office_b["supervisor"])
    page = client.get(url)
    assert page.status_code == 200 and office_b["office"].name in page.text
    client.force_login(office_b["coordinator"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", SETTINGS_PAGES)
def test_the_admin_opens_any_office_settings(client, admin_user, office_b, name):
    client.force_login(admin_user)
    page = client.get(_settings_url(name, office_b["office"], SETTINGS_PAGES[name]))
    assert page.status_code == 200 and office_b["office"].name in page.text


def _settings_state(b):
    office = b["office"]
    office.refresh_from_db()
    return (
        office.name,
        office.version,
        office.hours_version,
        list(office.opening_hours.values_list("weekday", "opens_at", "closes_at")),
        list(office.calendar_days.values_list("date", "is_open")),
        list(office.district_links.order_by("position").values_list("district_id", "position")),
    )


SETTINGS_POSTS = {
    "calendar": (
        lambda b: _settings_url("office_calendar:calendar", b["office"], "month=2025-11"),
        lambda b: {"day": "2025-11-12|closed", "reason": "", "opens_at": "", "closes_at": ""},
    ),
    "hours": (
        lambda b: _settings_url("office_calendar:hours", b["office"]),
        lambda b: {"version": 1, "open_0": "on", "opens_0": "09:00", "closes_0": "17:00"},
    ),
    "office": (
        lambda b: _settings_url("office_calendar:office", b["office"]),
        lambda b: {"name": "書き換え", "schedule_line": "", "version": 1},
    ),
    "district_move": (
        lambda b: _settings_url("district_settings:move", b["office"]),
        lambda b: {
            "link": b["office"].district_links.order_by("position").first().pk,
            "direction": "down",
            "order": ",".join(
                str(pk) for pk in b["office"].district_links.order_by("position").values_list("pk", flat=True)
            ),
        },
    ),
    "district_add": (
        lambda b: _settings_url("district_settings:add", b["office"]),
        lambda b: {
            "new_name": "新しい地区",
            "district": "",
            "order": ",".join(
                str(pk) for pk in b["office"].district_links.order_by("position").values_list("pk", flat=True)
            ),
        },
    ),
}


@pytest.mark.parametrize("name", SETTINGS_POSTS)
def test_a_supervisor_of_office_a_changes_nothing_of_office_b_settings(client, supervisor, office_b, name):
    url, data = SETTINGS_POSTS[name]
    before = _settings_state(office_b)
    client.force_login(supervisor)
    assert client.post(url(office_b), data(office_b)).status_code == 404
    assert _settings_state(office_b) == before


@pytest.mark.parametrize("name", SETTINGS_POSTS)
def test_the_same_settings_post_by_office_b_supervisor_changes_its_office(client, office_b, name):
    url, data = SETTINGS_POSTS[name]
    before = _settings_state(office_b)
    client.force_login(office_b["supervisor"])
    assert client.post(url(office_b), data(office_b)).status_code == 302
    assert _settings_state(office_b) != before


def test_office_b_report_through_the_centre_url_is_refused_to_office_a_and_opened_by_the_centre(
    request, client, office_b
):
    # The centre's download serves any office's finalized report, by design: only the centre (and
    # the system admin) may open it; an office's roles get 403 there, for their own office's too.
    version = with_report(request, office_b, "report_version")["report_version"]
    url = reverse("centre:version_file", args=[version.pk, "json"])
    for user in [
        User.objects.get(username="coordinator"),
        User.objects.get(username="supervisor"),
        office_b["supervisor"],
    ]:
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(User.objects.get(username="centre"))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == version.file("json")
