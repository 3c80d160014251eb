"""Personal data is not in Django admin at all: the system admin configures, never reads casework there.

Clients, guardians, consents, contact logs, counterparts, events, referrals and follow-ups are read and written only through the
office screens, scoped to the reader's own office and recorded in the access log (issue 13,
point 4: the probe read every office's client names and confidential notes in Django admin).
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from audit.models import AccessEvent, Action
from coordination.admin import PERSONAL_DATA_MODELS
from coordination.clients.models import Client
from coordination.logs.models import ContactLog

pytestmark = pytest.mark.django_db

PAGES = ("changelist", "add", "change", "history", "delete", "simple_history")


def last_event() -> AccessEvent:
    return AccessEvent.objects.order_by("-id").first()


@pytest.fixture
def signed_in_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_personal_data_models_are_every_model_holding_casework():
    casework = {
        model
        for model in apps.get_app_config("coordination").get_models()
        if not model._meta.auto_created and not model.__name__.startswith("Historical")
    } - {
        apps.get_model("coordination", "ContactMethod"),
        apps.get_model("coordination", "ActivityType"),
        apps.get_model("coordination", "NeedCategory"),
    }
    assert set(PERSONAL_DATA_MODELS) == casework


@pytest.mark.parametrize("model", PERSONAL_DATA_MODELS, ids=lambda m: m.__name__)
def test_no_personal_data_model_is_in_django_admin(model):
    assert not admin.site.is_registered(model)
    for page in PAGES:
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=[1] * (page != "changelist"))


@pytest.mark.parametrize("model", PERSONAL_DATA_MODELS, ids=lambda m: m.__name__)
def test_the_admins_urls_of_personal_data_find_nothing(signed_in_admin, demo_office, model):
    obj = model.objects.order_by("pk").first()
    pk = obj.pk if obj else 1  # the demo may hold none of a kind yet: a row's URL is refused all the same
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    for path in (base, f"{base}?q=北", f"{base}{pk}/change/", f"{base}{pk}/history/"):
        response = signed_in_admin.get(path)
        assert response.status_code in (302, 404), path
        assert response.status_code == 404 or "/admin/" in response["Location"]
    assert f'href="{base}"' not in signed_in_admin.get("/admin/").content.decode()


def test_the_admins_search_as_you_type_finds_no_client(signed_in_admin, demo_office):
    some_client = Client.objects.for_office(demo_office).first()
    response = signed_in_admin.get(
        reverse("admin:autocomplete"),
        {"app_label": "coordination", "model_name": "contactlog", "field_name": "client", "term": some_client.name},
    )
    assert response.status_code == 403
    assert some_client.name not in response.content.decode()


def test_no_admin_page_shows_a_clients_name_or_a_confidential_note(signed_in_admin, demo_office):
    log = ContactLog.objects.for_office(demo_office).exclude(confidential_notes="").select_related("client").first()
    index = signed_in_admin.get("/admin/").content.decode()
    for app_label in ("coordination", "accounts", "directory", "reporting", "audit"):
        page = signed_in_admin.get(f"/admin/{app_label}/").content.decode()
        assert log.confidential_notes not in page and log.confidential_notes not in index
        if log.client_id:
            assert log.client.name not in page


def test_reading_the_access_log_in_the_admin_is_logged_too(signed_in_admin, coordinator):
    row = AccessEvent.objects.create(user=coordinator, username="coordinator", action=Action.VIEW, path="/clients/5/")
    assert signed_in_admin.get(reverse("admin:audit_accessevent_changelist")).status_code == 200
    assert (last_event().action, last_event().username) == (Action.READ_AUDIT_LOG, "admin")
    assert signed_in_admin.get(reverse("admin:audit_accessevent_change", args=[row.pk])).status_code == 200
    assert (last_event().action, last_event().object_ids) == (Action.READ_AUDIT_LOG, {"object_id": str(row.pk)})


def test_configuration_stays_editable_in_the_admin(signed_in_admin, admin_user):
    from accounts.models import Office, User

    request = type("Request", (), {"user": admin_user})()
    for model in (Office, User):
        model_admin = admin.site.get_model_admin(model)
        assert model_admin.has_add_permission(request) and model_admin.has_change_permission(request)
