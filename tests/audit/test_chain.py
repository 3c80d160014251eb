"""The hash chain makes tampering by the database's owner evident: verify_access_log finds it, by row id."""

import importlib
import logging
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from audit.chain import GENESIS, row_hash
from audit.models import AccessEvent, Action, Outcome
from audit.services import access_event_record
from config.log import RequestIdFilter
from coordination.clients.models import Client

pytestmark = pytest.mark.django_db


def verify() -> str:
    """verify_access_log's output; raises CommandError (exit status 1) when the chain is broken."""
    out = []
    call_command("verify_access_log", stdout=SimpleNamespace(write=out.append), chunk_size=7)
    return "".join(out)


def broken() -> str:
    with pytest.raises(CommandError) as caught:
        verify()
    return str(caught.value)


@pytest.fixture
def rows(coordinator):
    """Three rows appended through the service, oldest first."""
    return [access_event_record(request=None, action=Action.VIEW, user=coordinator, status_code=200) for _ in range(3)]


def owner_disables_the_triggers():
    """What the database's owner can do (the test's transaction brings the triggers back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows' foreign key checks wait for the commit; ALTER TABLE wants none pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_accessevent_no_update")
            cursor.execute("DROP TRIGGER audit_accessevent_no_delete")


def test_the_chain_holds_after_ordinary_use(client, coordinator, demo_office, rows):
    client.force_login(coordinator)
    some_client = Client.objects.for_office(demo_office).first()
    assert client.get(reverse("client_detail", args=[some_client.pk])).status_code == 200
    assert client.get(reverse("client_detail", args=[999_999])).status_code == 404
    AccessEvent.objects.create(username="someone", action=Action.SIGN_IN_FAILED, outcome=Outcome.REFUSED)
    AccessEvent.objects.bulk_create([AccessEvent(username="bulk", action=Action.VIEW) for _ in range(3)])
    last = AccessEvent.objects.order_by("-id").first()
    assert (
        verify() == f"{AccessEvent.objects.count()}件、改ざんなし（最後の行: id {last.pk}、ハッシュ {last.row_hash}）\n"
    )


def test_each_row_chains_to_the_one_before(rows):
    first, second, third = rows
    assert (second.previous_hash, third.previous_hash) == (first.row_hash, second.row_hash)
    assert len(third.row_hash) == 64 and third.row_hash != second.row_hash
    assert first.occurred_at <= second.occurred_at <= third.occurred_at


def test_a_deleted_row_is_reported_at_the_row_after_it(rows):
    owner_disables_the_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [rows[1].pk])
    message = broken()
    assert f"id {rows[2].pk} の行が直前の行 id {rows[0].pk} につながりません" in message
    assert "削除" in message


def test_a_changed_row_is_reported_with_its_id(rows):
    owner_disables_the_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessevent SET path = '/clients/99/' WHERE id = %s", [rows[1].pk])
    message = broken()
    assert f"id {rows[1].pk} の行の内容が記録時のハッシュと合いません" in message
    assert "書き換えられた" in message


def test_changing_only_the_time_is_noticed_too(rows):
    owner_disables_the_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_accessevent SET occurred_at = %s WHERE id = %s", ["2020-04-01 00:00:00", rows[0].pk]
        )
    assert f"id {rows[0].pk} の行の内容" in broken()


def insert_raw(*, occurred_at: str, previous_hash: str, hash_of: str | None = None) -> int:
    """A backdated INSERT by hand, with a made-up hash or (hash_of) one computed as the app would."""
    values = {
        "occurred_at": occurred_at,
        "username": "coordinator",
        "role": "コーディネーター",
        "action": "view",
        "outcome": "success",
        "path": "/clients/1/",
        "url_name": "client_detail",
        "object_ids": {"pk": 1},
        "method": "GET",
        "status_code": 200,
        "ip_address": "192.0.2.1",
        "user_agent": "",
    }
    if hash_of is None:
        computed = "f" * 64
    else:
        from datetime import datetime

        computed = row_hash(hash_of, {**values, "occurred_at": datetime.fromisoformat(occurred_at)})
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accessevent (occurred_at, username, role, action, outcome, path, url_name,"
            " object_ids, method, status_code, ip_address, user_agent, previous_hash, row_hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                occurred_at,
                *(values[name] for name in ("username", "role", "action", "outcome", "path", "url_name")),
                '{"pk": 1}',
                "GET",
                200,
                "192.0.2.1",
                "",
                previous_hash,
                computed,
            ],
        )
    return AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()


def test_a_backdated_insert_with_a_made_up_hash_is_reported_with_its_id(rows):
    inserted = insert_raw(occurred_at="2025-04-01T09:00:00+09:00", previous_hash=rows[2].row_hash)
    message = broken()
    assert f"id {inserted} の行の内容が記録時のハッシュと合いません" in message
    assert "挿入された行" in message


def test_a_backdated_insert_hashed_like_the_app_but_chained_to_an_older_row_is_reported(rows):
    # Someone who knows the algorithm slips a row in after the first: it cannot fit in both places.
    inserted = insert_raw(
        occurred_at="2025-04-01T09:00:00+09:00", previous_hash=rows[0].row_hash, hash_of=rows[0].row_hash
    )
    message = broken()
    assert f"id {inserted} の行が直前の行 id {rows[2].pk} につながりません" in message
    assert "挿入された行" in message


def test_the_migration_chains_rows_that_existed_before_it(rows):
    migration = importlib.import_module("audit.migrations.0004_hash_chain")
    state = MigrationLoader(connection).project_state(("audit", "0004_hash_chain"))
    owner_disables_the_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessevent SET previous_hash = '', row_hash = ''")
    broken()
    migration.fill_chain(state.apps, SimpleNamespace(connection=connection))
    assert "件、改ざんなし" in verify()
    assert AccessEvent.objects.order_by("id").first().previous_hash == GENESIS


def test_recording_a_row_costs_one_query_more_than_the_insert(django_assert_num_queries):
    # The head of the chain (on PostgreSQL with the append lock), then the insert.
    with django_assert_num_queries(2):
        access_event_record(request=None, action=Action.SIGN_IN_FAILED, outcome=Outcome.REFUSED, username="x")


def test_each_row_is_also_one_line_of_the_application_log_without_personal_data(
    client, coordinator, demo_office, caplog
):
    some_client = Client.objects.for_office(demo_office).first()
    client.force_login(coordinator)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="tsunagu.access"):
        # A search of the client list: the row keeps what was searched, the log line not.
        response = client.get(reverse("client_list"), {"q": some_client.name}, REMOTE_ADDR="192.0.2.8")
    assert response.status_code == 200
    record = [record for record in caplog.records if record.name == "tsunagu.access"][-1]
    event = AccessEvent.objects.order_by("-id").first()
    line = record.getMessage()
    assert "\n" not in line
    for part in (
        f"id={event.pk} ",
        f"at={event.occurred_at.isoformat(timespec='microseconds')}",
        "action=search outcome=success",
        f'user_id={coordinator.pk} username="coordinator"',
        "view=client_list",
        "ip=192.0.2.8",
        f"hash={event.row_hash}",
    ):
        assert part in line
    assert record.levelno == logging.INFO
    assert record.request_id == response["X-Request-ID"]
    assert "q=" in event.path
    assert some_client.name not in line and "q=" not in line


def test_the_log_line_of_a_client_page_names_the_id_only(client, coordinator, demo_office, caplog):
    some_client = Client.objects.for_office(demo_office).first()
    client.force_login(coordinator)
    with caplog.at_level(logging.INFO, logger="tsunagu.access"):
        client.get(reverse("client_detail", args=[some_client.pk]))
    line = [record.getMessage() for record in caplog.records if record.name == "tsunagu.access"][-1]
    assert f'objects={{"pk":{some_client.pk}}}' in line
    assert some_client.name not in line


def test_a_name_typed_at_sign_in_cannot_forge_a_second_log_line(caplog):
    with caplog.at_level(logging.INFO, logger="tsunagu.access"):
        access_event_record(
            request=None, action=Action.SIGN_IN_FAILED, outcome=Outcome.REFUSED, username="x\nid=1 action=view"
        )
    line = [record.getMessage() for record in caplog.records if record.name == "tsunagu.access"][-1]
    assert "\n" not in line and 'username="x\\nid=1 action=view"' in line


def test_the_settings_let_the_access_lines_through_to_the_console_whatever_axes_is_quieted_to(settings):
    access = logging.getLogger("tsunagu.access")
    assert access.isEnabledFor(logging.INFO) and access.propagate
    assert settings.LOGGING["loggers"]["tsunagu.access"] == {"level": "INFO"}
    assert settings.LOGGING["root"]["handlers"] == ["console"]
