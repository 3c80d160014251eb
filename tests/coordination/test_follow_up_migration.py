"""Migration 0010 moves each log's follow-up into a FollowUp of its own, and back when reversed.

Runs `manage.py migrate` on a database beside the test database (same engine), filled with the demo.
"""

import pytest

from tests.accounts.test_legacy_migration import ROOT, LegacyDatabase, _manage

BEFORE = "0009_referrals_consents_follow_ups"


@pytest.fixture
def database(tmp_path):
    database = LegacyDatabase(tmp_path)
    yield database
    database.drop()


def _follow_ups(tables) -> set[tuple]:
    return {
        (row["contact_log_id"], row["assignee_id"], row["action"], row["due_on"], row["done_on"])
        for row in map(dict, tables["coordination_followup"])
    }


@pytest.mark.django_db
def test_each_logs_follow_up_becomes_a_follow_up_by_its_coordinator_and_back(database):
    # The demo as of FY2025: its present's follow-ups were closed through the services after 0010.
    for command in (["migrate", "--noinput"], ["load_reference"], ["load_demo", "--without-present"]):
        _manage(ROOT, database, *command)
    demo = _follow_ups(database.tables())
    assert len(demo) > 10 and all(log_id is not None for log_id, *_ in demo)

    _manage(ROOT, database, "migrate", "coordination", BEFORE, "--noinput")
    tables = database.tables()
    assert tables["coordination_followup"] == []
    in_columns = {
        (row["id"], row["coordinator_id"], row["follow_up_action"], row["follow_up_due_on"], row["follow_up_done_on"])
        for row in map(dict, tables["coordination_contactlog"])
        if row["follow_up_action"]
    }
    assert in_columns == demo

    _manage(ROOT, database, "migrate", "--noinput")
    tables = database.tables()
    assert _follow_ups(tables) == demo
    follow_ups = list(map(dict, tables["coordination_followup"]))
    assert all(row["created_by_id"] == row["assignee_id"] and row["outcome"] == "" for row in follow_ups)
    logs = {row["id"]: row for row in map(dict, tables["coordination_contactlog"])}
    assert all(row["client_id"] == logs[row["contact_log_id"]]["client_id"] for row in follow_ups)
    assert all(row["office_id"] == logs[row["contact_log_id"]]["office_id"] for row in follow_ups)
    assert "follow_up_action" not in logs[follow_ups[0]["contact_log_id"]]
    # Each has its history from the start: made by the log's coordinator.
    history = [dict(row) for row in tables["coordination_historicalfollowup"]]
    assert sorted((row["id"], row["history_type"], row["history_user_id"]) for row in history) == sorted(
        (row["id"], "+", row["assignee_id"]) for row in follow_ups
    )
