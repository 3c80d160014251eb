"""Access log rows cannot be changed or deleted: not through the ORM, the admin or raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.models import User
from audit.models import AccessEvent, Action, AppendOnlyError

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(coordinator):
    return AccessEvent.objects.create(user=coordinator, username="coordinator", action=Action.VIEW, path="/clients/1/")


def test_a_saved_row_cannot_be_saved_again(event):
    event.path = "/somewhere-else/"
    with pytest.raises(AppendOnlyError):
        event.save()
    event.refresh_from_db()
    assert event.path == "/clients/1/"


def test_a_row_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_the_queryset_refuses_update_and_delete(event):
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(path="/changed/")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.path == "/clients/1/"


def test_raw_sql_cannot_update_or_delete_a_row(event):
    for statement in (
        "UPDATE audit_accessevent SET path = '/changed/' WHERE id = %s",
        "UPDATE audit_accessevent SET user_id = NULL, username = 'someone' WHERE id = %s",
        "DELETE FROM audit_accessevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    event.refresh_from_db()
    assert (event.path, event.username, event.user_id) == ("/clients/1/", "coordinator", event.user_id)


def test_deleting_a_user_keeps_their_rows_with_the_username(demo_office):
    user = User.objects.create_user("leaving", password="a-long-password-1", office=demo_office)
    event = AccessEvent.objects.create(user=user, username="leaving", action=Action.SIGN_IN)
    user.delete()
    event.refresh_from_db()
    assert (event.user_id, event.username, event.action) == (None, "leaving", Action.SIGN_IN)


def test_the_admin_shows_rows_but_refuses_add_change_and_delete_even_to_superusers(client, admin_user, event):
    client.force_login(admin_user)
    assert client.get(reverse("admin:audit_accessevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_accessevent_add")).status_code == 403
    # The change page of a read-only admin shows the row without a form to save it.
    change = client.get(reverse("admin:audit_accessevent_change", args=[event.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.post(reverse("admin:audit_accessevent_change", args=[event.pk]), {"path": "/x/"}).status_code == 403
    assert client.get(reverse("admin:audit_accessevent_delete", args=[event.pk])).status_code == 403
    assert client.post(reverse("admin:audit_accessevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk, path="/clients/1/").exists()
