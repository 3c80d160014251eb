"""What the access log records: page views, downloads, refusals, sign-in and sign-out."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from audit.policy import AUDITED_FORMS, AUDITED_VIEWS
from audit.selectors import access_events_for_list
from coordination.clients.models import Client
from coordination.events.models import Event
from coordination.logs.models import ContactLog

pytestmark = pytest.mark.django_db


def last_event() -> AccessEvent:
    return AccessEvent.objects.order_by("-id").first()


def test_viewing_a_client_page_records_who_with_which_role_what_from_where(client, coordinator, demo_office):
    some_client = Client.objects.for_office(demo_office).first()
    client.force_login(coordinator)
    response = client.get(
        reverse("client_detail", args=[some_client.pk]), REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="TestBrowser/1.0"
    )
    assert response.status_code == 200
    event = last_event()
    assert (event.user, event.username, event.role) == (coordinator, "coordinator", "コーディネーター")
    assert (event.action, event.outcome, event.status_code, event.method) == (Action.VIEW, Outcome.SUCCESS, 200, "GET")
    assert (event.url_name, event.object_ids, event.path) == (
        "client_detail",
        {"pk": some_client.pk},
        f"/clients/{some_client.pk}/",
    )
    assert (event.ip_address, event.user_agent) == ("192.0.2.7", "TestBrowser/1.0")
    assert event.occurred_at.tzinfo is not None


def test_viewing_a_log_page_is_recorded(client, coordinator, demo_office):
    log = ContactLog.objects.for_office(demo_office).first()
    client.force_login(coordinator)
    assert client.get(reverse("log_detail", args=[log.pk])).status_code == 200
    assert (last_event().action, last_event().object_ids) == (Action.VIEW, {"pk": log.pk})


def test_ward_staff_refused_a_client_page_is_recorded_as_refused(client, ward_staff, demo_office):
    some_client = Client.objects.for_office(demo_office).first()
    client.force_login(ward_staff)
    assert client.get(reverse("client_detail", args=[some_client.pk])).status_code == 403
    event = last_event()
    assert (event.username, event.role, event.action, event.outcome, event.status_code) == (
        "ward",
        "区職員",
        Action.REFUSED,
        Outcome.REFUSED,
        403,
    )
    assert event.object_ids == {"pk": some_client.pk}
    assert client.get(reverse("client_list")).status_code == 403
    assert (last_event().url_name, last_event().action) == ("client_list", Action.REFUSED)


def test_a_client_of_another_office_or_none_at_all_is_recorded_as_refused(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("client_detail", args=[999_999])).status_code == 404
    event = last_event()
    assert (event.action, event.status_code, event.object_ids) == (Action.REFUSED, 404, {"pk": 999_999})


def test_a_report_download_is_recorded(client, coordinator):
    client.force_login(coordinator)
    response = client.get(f"{reverse('reporting:download', args=['json'])}?fiscal_year=2025&quarters=1-3")
    assert response.status_code == 200
    event = last_event()
    assert (event.action, event.url_name, event.object_ids) == (
        Action.DOWNLOAD,
        "reporting:download",
        {"format": "json"},
    )
    assert event.path.endswith("?fiscal_year=2025&quarters=1-3")


def test_the_log_export_is_recorded_with_the_number_of_rows_it_wrote(client, coordinator, demo_office):
    client.force_login(coordinator)
    response = client.get(reverse("log_export", args=["csv"]), {"date_from": "2025/6/1", "date_to": "2025/6/30"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    june = ContactLog.objects.for_office(demo_office).filter(occurred_on__range=("2025-06-01", "2025-06-30")).count()
    assert june > 0
    assert (last_event().action, last_event().object_ids) == (Action.EXPORT, {"file_format": "csv", "rows": june})


def test_the_provider_export_is_recorded_with_its_rows(client, ward_staff):
    client.force_login(ward_staff)
    response = client.get(reverse("directory:provider_export", args=["csv"]), {"q": "訪問看護"})
    b"".join(response.streaming_content)
    assert last_event().action == Action.EXPORT and last_event().object_ids["rows"] > 0


def test_the_home_page_is_not_recorded(client, coordinator):
    client.force_login(coordinator)
    before = AccessEvent.objects.count()
    assert client.get(reverse("home")).status_code == 200
    assert AccessEvent.objects.count() == before


@pytest.mark.parametrize("url_name", ["client_list", "log_list", "event_list", "client_power_list"])
def test_opening_a_list_of_personal_data_is_recorded_once_as_a_list(client, coordinator, url_name):
    client.force_login(coordinator)
    before = AccessEvent.objects.count()
    assert client.get(reverse(url_name), {"page": "1"}).status_code == 200
    assert AccessEvent.objects.count() == before + 1
    assert (last_event().action, last_event().url_name) == (Action.LIST, url_name)


def test_a_filtered_list_is_recorded_as_a_search(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("client_list"), {"q": "あおやま", "sort": "kana"}).status_code == 200
    assert (last_event().action, last_event().url_name) == (Action.SEARCH, "client_list")
    assert client.get(reverse("log_list"), {"method": "", "page": "2"}).status_code == 200
    assert last_event().action == Action.LIST


@pytest.mark.parametrize("url_name", ["client_lookup", "provider_lookup"])
def test_the_pickers_searches_are_recorded(client, coordinator, url_name):
    client.force_login(coordinator)
    assert client.get(reverse(url_name), {"q": "あ"}).status_code == 200
    assert (last_event().action, last_event().url_name) == (Action.SEARCH, url_name)


@pytest.mark.parametrize(
    ("url_name", "model"), [("client_update", Client), ("log_update", ContactLog), ("event_update", Event)]
)
def test_an_edit_page_shows_the_whole_record_and_is_recorded_as_a_view(
    client, coordinator, demo_office, url_name, model
):
    record = model.objects.for_office(demo_office).first()
    client.force_login(coordinator)
    assert client.get(reverse(url_name, args=[record.pk])).status_code == 200
    assert (last_event().action, last_event().url_name, last_event().object_ids) == (
        Action.VIEW,
        url_name,
        {"pk": record.pk},
    )


def test_opening_the_import_page_is_no_import_but_uploading_and_cancelling_are(client, coordinator, tmp_path, settings):
    settings.TSUNAGU_IMPORT_DIR = tmp_path / "imports"
    client.force_login(coordinator)
    before = AccessEvent.objects.count()
    assert client.get(reverse("imports:start")).status_code == 200
    assert AccessEvent.objects.count() == before
    upload = SimpleUploadedFile("clients.csv", "氏名,フリガナ,生年月日\n北 花子,キタ ハナコ,2019/5/15\n".encode())
    response = client.post(reverse("imports:start"), {"kind": "clients", "file": upload})
    assert response.status_code == 302
    assert (last_event().action, last_event().outcome, last_event().url_name) == (
        Action.IMPORT,
        Outcome.SUCCESS,
        "imports:start",
    )
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert client.post(reverse("imports:cancel", args=["clients", token])).status_code == 302
    assert (last_event().action, last_event().url_name) == (Action.IMPORT, "imports:cancel")


def test_signing_in_and_out_is_recorded(client, coordinator, demo_password):
    response = client.post(
        reverse("login"), {"username": "coordinator", "password": demo_password}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 302
    event = last_event()
    assert (event.action, event.user, event.role, event.ip_address) == (
        Action.SIGN_IN,
        coordinator,
        "コーディネーター",
        "198.51.100.4",
    )
    client.post(reverse("logout"))
    assert (last_event().action, last_event().username) == (Action.SIGN_OUT, "coordinator")


def test_a_failed_sign_in_is_recorded_with_the_name_typed_and_no_password(client, demo_password):
    response = client.post(reverse("login"), {"username": "coordinator", "password": "wrong-password-123"})
    assert response.status_code == 200
    event = last_event()
    assert (event.action, event.outcome, event.user, event.username) == (
        Action.SIGN_IN_FAILED,
        Outcome.REFUSED,
        None,
        "coordinator",
    )
    assert "wrong-password" not in str(event.__dict__)


def test_the_forwarded_address_is_used_only_behind_a_trusted_proxy(client, coordinator, demo_office):
    some_client = Client.objects.for_office(demo_office).first()
    client.force_login(coordinator)
    url = reverse("client_detail", args=[some_client.pk])
    client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert last_event().ip_address == "10.0.0.1"
    with override_settings(TSUNAGU_TRUSTED_PROXY=True):
        client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert last_event().ip_address == "203.0.113.9"


def test_every_audited_name_maps_to_a_known_action():
    assert set(AUDITED_VIEWS.values()) <= set(Action.values)


def test_every_audited_name_is_a_url_of_the_project():
    from django.urls import get_resolver

    def names(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from names(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif pattern.name:
                yield f"{prefix}{pattern.name}"

    assert (set(AUDITED_VIEWS) | set(AUDITED_FORMS)) - set(names(get_resolver())) == set()


def test_an_admin_opening_a_client_of_their_office_is_recorded(client, admin_user, demo_office):
    some_client = Client.objects.for_office(demo_office).first()
    client.force_login(admin_user)
    assert client.get(reverse("client_detail", args=[some_client.pk])).status_code == 200
    event = last_event()
    assert (event.action, event.role, event.object_ids) == (Action.VIEW, "システム管理者", {"pk": some_client.pk})
    assert event in access_events_for_list(target=str(some_client.pk))


def test_a_lockout_is_recorded_when_django_axes_is_installed(client, coordinator):
    from django.apps import apps

    if not apps.is_installed("axes"):
        pytest.skip("django-axes is not installed")
    for _ in range(6):
        client.post(
            reverse("login"), {"username": "coordinator", "password": "wrong-password-123"}, REMOTE_ADDR="192.0.2.50"
        )
    event = AccessEvent.objects.filter(action=Action.LOCKED_OUT).order_by("-id").first()
    assert event is not None
    assert (event.username, event.outcome, event.ip_address) == ("coordinator", Outcome.REFUSED, "192.0.2.50")
