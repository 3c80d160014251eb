"""Migration 0011 gives every existing log, and its history records, 個別支援 with a client and 地域支援 without.

Runs `manage.py migrate` on a database beside the test database (same engine), filled with the demo.
"""

import pytest

from tests.accounts.test_legacy_migration import ROOT, LegacyDatabase, _manage

BEFORE = "0010_move_log_follow_ups"

# The demo's logs are saved in bulk, without history: give a few with and without a client their first record.
WITH_HISTORY = """
from coordination.logs.models import ContactLog
from coordination.logs.services import record_baseline
for log in [*ContactLog.objects.filter(client__isnull=False)[:3], *ContactLog.objects.filter(client__isnull=True)[:3]]:
    record_baseline(log)
"""


@pytest.fixture
def database(tmp_path):
    database = LegacyDatabase(tmp_path)
    yield database
    database.drop()


def _kinds(rows) -> set[tuple]:
    return {(row["client_id"] is not None, row["support_kind"]) for row in map(dict, rows)}


@pytest.mark.django_db
def test_existing_logs_get_the_default_kind_and_lose_it_when_reversed(database):
    for command in (["migrate", "--noinput"], ["load_reference"], ["load_demo", "--without-present"]):
        _manage(ROOT, database, *command)
    _manage(ROOT, database, "shell", "-c", WITH_HISTORY)
    _manage(ROOT, database, "migrate", "coordination", BEFORE, "--noinput")
    tables = database.tables()
    logs = {row["id"]: row["client_id"] for row in map(dict, tables["coordination_contactlog"])}
    assert "support_kind" not in dict(tables["coordination_contactlog"][0])

    _manage(ROOT, database, "migrate", "--noinput")
    tables = database.tables()
    # The column's own default is 個別: the logs without a client show the migration's rule ran.
    assert _kinds(tables["coordination_contactlog"]) == {(True, "individual"), (False, "community")}
    assert {row["id"]: row["client_id"] for row in map(dict, tables["coordination_contactlog"])} == logs
    history = tables["coordination_historicalcontactlog"]
    assert _kinds(history) == {(True, "individual"), (False, "community")}
