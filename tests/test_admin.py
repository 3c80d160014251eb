"""Django admin covers every model, in Japanese."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.models import HistoricalChanges

from coordination.admin import PERSONAL_DATA_MODELS

pytestmark = pytest.mark.django_db

OUR_MODELS = [m for m in apps.get_models() if m._meta.app_label in {"directory", "coordination", "reporting"}]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Auto-created join tables are edited through their parents. The change-history tables of
# django-simple-history are written by the app only and read on each parent's history page in
# the admin (and on our own pages), so they have no admin of their own.
# Personal data is not in Django admin at all (tests/test_admin_personal_data.py).
REGISTERED = [
    m
    for m in OUR_MODELS
    if not m._meta.auto_created and not issubclass(m, HistoricalChanges) and m not in PERSONAL_DATA_MODELS
]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_model_is_in_the_admin_with_a_japanese_name(model):
    assert admin.site.is_registered(model)
    assert JAPANESE.search(str(model._meta.verbose_name))
    for field in model._meta.get_fields():
        if (
            getattr(field, "verbose_name", None)
            and not field.auto_created
            and field.name
            not in {
                "id",
                "password",
                "username",
                "email",
                "first_name",
                "last_name",
                "is_staff",
                "is_active",
                "is_superuser",
                "last_login",
                "date_joined",
                "groups",
                "user_permissions",
            }
        ):
            assert JAPANESE.search(str(field.verbose_name)) or str(field.verbose_name) in {"FAX"}, (model, field.name)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_admin_list_and_add_page_opens(client, admin_user, model):
    client.force_login(admin_user)
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    # Finalized reports are frozen: their admin shows them and adds nothing.
    can_add = admin.site.get_model_admin(model).has_add_permission(type("Request", (), {"user": admin_user})())
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == (200 if can_add else 403)


@pytest.mark.parametrize("username", ["coordinator", "supervisor", "ward"])
def test_only_admins_enter_the_admin(client, username):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
