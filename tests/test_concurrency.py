"""Eight coordinators at once: creating and editing contact logs for 30 seconds through the services.

Runs on whatever database the suite runs on. On SQLite this proves the settings (WAL, IMMEDIATE
transactions, a busy timeout) queue writers instead of failing with "database is locked"; on
both, that optimistic locking loses no edit: a stale edit is refused (ContactLogConflict), the
coordinator reads the log again and saves once more, as the edit page asks a person to do.
Commits for real (each thread has its own connection) and deletes what it created.
"""

import os
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Office, User
from coordination.clients.models import Client
from coordination.logs.models import ActivityType, ContactLog, ContactMethod, Counterpart
from coordination.logs.services import ContactLogConflict, CounterpartEntry, contact_log_create, contact_log_update
from directory.models import CounterpartCategory

THREADS = 8
# 30 seconds as the issue asks; TSUNAGU_CONCURRENCY_SECONDS shortens it while working on this file.
SECONDS = float(os.environ.get("TSUNAGU_CONCURRENCY_SECONDS", "30"))
HOT_LOGS = 4
DEMO_OFFICE = "北区医療的ケア児等コーディネーター事業"


@dataclass
class Tally:
    """What one thread did; `edits` are the acknowledged ones: (log id, version saved, summary)."""

    created: list[int] = field(default_factory=list)
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def log_parts(committed_db):
    office = Office.objects.get(name=DEMO_OFFICE)
    return {
        "office": office,
        "coordinators": list(User.objects.filter(office=office, groups__name="コーディネーター").order_by("pk")),
        "clients": list(Client.objects.for_office(office).order_by("pk")[:20]),
        "method": ContactMethod.objects.get(code="phone"),
        "activity_types": [ActivityType.objects.filter(children__isnull=True).order_by("position").first()],
        "counterparts": [CounterpartEntry(category=CounterpartCategory.objects.get(code="party-parent-mother"))],
    }


def create_log(parts: dict, coordinator: User, summary: str, rng: random.Random) -> ContactLog:
    return contact_log_create(
        office=parts["office"],
        coordinator=coordinator,
        occurred_on=timezone.localdate(),
        method=parts["method"],
        activity_types=parts["activity_types"],
        counterparts=parts["counterparts"],
        client=rng.choice(parts["clients"]),
        report_summary=summary,
        include_in_report=True,
    )


def edit_log(parts: dict, coordinator: User, log_id: int, summary: str, tally: Tally) -> int:
    """Saves one edit, reading the log again after each conflict; returns the version saved."""
    for _ in range(200):
        log = ContactLog.objects.get(pk=log_id)
        time.sleep(0.001)  # a person reads the form before saving: another may save meanwhile
        try:
            saved = contact_log_update(
                log=log,
                expected_version=log.version,
                user=coordinator,
                occurred_on=log.occurred_on,
                method=parts["method"],
                activity_types=parts["activity_types"],
                counterparts=parts["counterparts"],
                client=log.client,
                report_summary=summary,
                include_in_report=True,
            )
            return saved.version
        except ContactLogConflict:
            tally.conflicts += 1
    raise AssertionError(f"log {log_id}: no edit went through after 200 conflicts")


def work(number: int, parts: dict, pool: list[int], hot: list[int], deadline: float, tally: Tally) -> None:
    rng = random.Random(number)
    coordinator = parts["coordinators"][number % len(parts["coordinators"])]
    step = 0
    try:
        while time.monotonic() < deadline:
            step += 1
            summary = f"同時編集試験 {number}-{step}"
            try:
                if rng.random() < 0.3:
                    log = create_log(parts, coordinator, summary, rng)
                    tally.created.append(log.pk)
                    pool.append(log.pk)
                else:
                    # Half the edits go to a few hot logs, where coordinators collide.
                    log_id = rng.choice(hot) if rng.random() < 0.5 else rng.choice(pool)
                    version = edit_log(parts, coordinator, log_id, summary, tally)
                    tally.edits.append((log_id, version, summary))
            except Exception as error:  # every failure is reported by the test, not just the first
                tally.errors.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def delete_logs(ids: list[int]) -> None:
    """The logs with their counterparts and activity types, then every history row they left."""
    ContactLog.objects.filter(pk__in=ids).delete()
    ContactLog.history.model.objects.filter(id__in=ids).delete()
    Counterpart.history.model.objects.filter(contact_log_id__in=ids).delete()


def test_eight_coordinators_creating_and_editing_logs_at_once_lose_nothing_and_never_hit_a_lock(log_parts):
    if connection.vendor == "sqlite":
        # The test database runs with production's settings, not a lenient copy of them.
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    rng = random.Random(0)
    hot = [
        create_log(log_parts, log_parts["coordinators"][0], f"同時編集試験 hot-{n}", rng).pk for n in range(HOT_LOGS)
    ]
    pool = list(hot)
    tallies = [Tally() for _ in range(THREADS)]
    started = time.monotonic()
    threads = [
        threading.Thread(target=work, args=(number, log_parts, pool, hot, started + SECONDS, tally))
        for number, tally in enumerate(tallies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    created = hot + [pk for tally in tallies for pk in tally.created]
    try:
        errors = [error for tally in tallies for error in tally.errors]
        assert errors == []

        edits = [edit for tally in tallies for edit in tally.edits]
        conflicts = sum(tally.conflicts for tally in tallies)
        print(
            f"\nconcurrency ({connection.vendor}, {THREADS} threads, {elapsed:.1f} s): "
            f"{len(created) - HOT_LOGS} creates, {len(edits)} edits, {conflicts} conflicts retried, "
            f"{(len(created) - HOT_LOGS + len(edits)) / elapsed:.1f} saves/s"
        )

        # Every created log is there, once.
        saved = {log.pk: log for log in ContactLog.objects.filter(pk__in=created)}
        assert sorted(saved) == sorted(created)
        assert len(set(created)) == len(created)

        # No lost update: each log's version counts its create and every acknowledged edit, each
        # acknowledged edit has its own version, and the log holds the edit saved last.
        by_log: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for log_id, version, summary in edits:
            by_log[log_id].append((version, summary))
        for log_id, log in saved.items():
            versions = sorted(by_log[log_id])
            assert [version for version, _ in versions] == list(range(2, len(versions) + 2)), log_id
            assert log.version == len(versions) + 1
            if versions:
                assert log.report_summary == versions[-1][1]

        # And the change history has a record of each acknowledged edit.
        recorded = set(
            ContactLog.history.filter(id__in=created, history_type="~").values_list("id", "version", "report_summary")
        )
        assert set(edits) <= recorded
        assert ContactLog.history.filter(id__in=created, history_type="+").count() == len(created)
        assert conflicts > 0, "the hot logs should have made coordinators collide"
    finally:
        delete_logs(created)
