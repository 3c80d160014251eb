"""Personal data in Django admin: admins may read it, never write it, and every reading is logged."""

import pytest
from django.contrib import admin
from django.urls import reverse

from audit.models import AccessEvent, Action, Outcome
from audit.policy import PERSONAL_DATA_ADMIN_MODELS, audited_action
from coordination.clients.models import Client, Guardian
from coordination.events.models import Event
from coordination.logs.models import ContactLog, Counterpart

pytestmark = pytest.mark.django_db

PERSONAL_DATA = [Client, Guardian, ContactLog, Counterpart, Event]


def last_event() -> AccessEvent:
    return AccessEvent.objects.order_by("-id").first()


def admin_url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def signed_in_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def sample(model, office):
    scope = {
        Client: "office",
        Guardian: "client__office",
        ContactLog: "office",
        Counterpart: "contact_log__office",
        Event: "office",
    }
    return model.objects.filter(**{scope[model]: office}).order_by("pk").first()


def test_the_policy_names_exactly_the_personal_data_models_of_the_admin():
    assert PERSONAL_DATA_ADMIN_MODELS == {f"{m._meta.app_label}_{m._meta.model_name}" for m in PERSONAL_DATA}
    assert audited_action("admin:coordination_client_changelist") == Action.VIEW
    assert audited_action("admin:accounts_office_changelist") is None
    assert audited_action("admin:directory_provider_change") is None


@pytest.mark.parametrize("model", PERSONAL_DATA, ids=lambda m: m.__name__)
def test_an_admin_reading_personal_data_in_the_admin_is_logged_on_every_page(signed_in_admin, demo_office, model):
    obj = sample(model, demo_office)
    obj.save()  # gives the object a version in its change history
    version = obj.history.order_by("-history_id").first()
    pages = {
        "changelist": admin_url(model, "changelist"),
        "change": admin_url(model, "change", obj.pk),
        "history": admin_url(model, "history", obj.pk),
        "simple_history": admin_url(model, "simple_history", obj.pk, version.history_id),
    }
    for page, url in pages.items():
        response = signed_in_admin.get(url, REMOTE_ADDR="192.0.2.60")
        assert response.status_code == 200, page
        event = last_event()
        assert (event.username, event.role, event.action, event.outcome) == (
            "admin",
            "システム管理者",
            Action.VIEW,
            Outcome.SUCCESS,
        ), page
        assert event.url_name == f"admin:coordination_{model._meta.model_name}_{page}"
        assert (event.ip_address, event.occurred_at.utcoffset() is not None) == ("192.0.2.60", True)
        if page != "changelist":
            assert event.object_ids["object_id"] == str(obj.pk)


def test_a_search_in_the_admins_client_list_is_logged_with_what_was_searched(signed_in_admin):
    assert signed_in_admin.get(admin_url(Client, "changelist"), {"q": "北"}).status_code == 200
    assert last_event().path.endswith("?q=%E5%8C%97")


def test_the_admins_search_as_you_type_for_a_client_is_logged(signed_in_admin):
    response = signed_in_admin.get(
        reverse("admin:autocomplete"),
        {"app_label": "coordination", "model_name": "contactlog", "field_name": "client", "term": "キタ"},
    )
    assert response.status_code == 200
    assert (last_event().action, last_event().url_name) == (Action.VIEW, "admin:autocomplete")


@pytest.mark.parametrize("model", PERSONAL_DATA, ids=lambda m: m.__name__)
def test_personal_data_is_read_only_in_the_admin_even_for_superusers(signed_in_admin, admin_user, demo_office, model):
    obj = sample(model, demo_office)
    count = model.objects.count()
    model_admin = admin.site.get_model_admin(model)
    request = type("Request", (), {"user": admin_user})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert all(not inline.has_add_permission(request, obj) for inline in model_admin.get_inline_instances(request, obj))

    assert signed_in_admin.get(admin_url(model, "add")).status_code == 403
    assert signed_in_admin.post(admin_url(model, "change", obj.pk), {}).status_code == 403
    assert signed_in_admin.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert signed_in_admin.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert (last_event().action, last_event().outcome) == (Action.REFUSED, Outcome.REFUSED)
    assert model.objects.count() == count
    page = signed_in_admin.get(admin_url(model, "change", obj.pk)).content.decode()
    assert 'name="_save"' not in page


def test_an_old_version_cannot_be_restored_through_the_admins_history(signed_in_admin, demo_office):
    some_client = sample(Client, demo_office)
    original_note = some_client.notes if hasattr(some_client, "notes") else None
    some_client.name = "版を戻す前"
    some_client.save()
    old = some_client.history.order_by("history_id").first()
    some_client.name = "今の氏名"
    some_client.save()
    url = admin_url(Client, "simple_history", some_client.pk, old.history_id)
    assert signed_in_admin.get(url).status_code == 200
    assert signed_in_admin.post(url, {}).status_code == 403
    some_client.refresh_from_db()
    assert some_client.name == "今の氏名"
    assert original_note == (some_client.notes if hasattr(some_client, "notes") else None)


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
