"""Eight coordinators at once: creating and editing contact logs for 30 seconds through the services,
then editing one client together.

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
from common.services import EditConflict
from coordination.clients.models import Client, Guardian
from coordination.clients.services import GuardianEntry, client_create, client_update
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


CLIENT_EDITS_PER_THREAD = 8


def edit_client(client_id: int, coordinator: User, notes: str, tally: Tally) -> int:
    """Saves one edit of a client's notes, reading it again after each conflict; returns the version saved."""
    for _ in range(200):
        client = Client.objects.get(pk=client_id)
        guardians = [
            GuardianEntry(name=g.name, relationship=g.relationship, pk=g.pk, is_primary=g.is_primary)
            for g in client.guardians.all()
        ]
        time.sleep(0.001)  # a person reads the form before saving: another may save meanwhile
        try:
            saved = client_update(
                client=client, user=coordinator, expected_version=client.version, guardians=guardians, notes=notes
            )
            return saved.version
        except EditConflict:
            tally.conflicts += 1
    raise AssertionError(f"client {client_id}: no edit went through after 200 conflicts")


def test_coordinators_editing_one_client_at_once_lose_no_edit(log_parts):
    office, coordinators = log_parts["office"], log_parts["coordinators"]
    client = client_create(
        office=office,
        user=coordinators[0],
        name="同時編集 試験",
        name_kana="ドウジヘンシュウ シケン",
        guardians=[GuardianEntry(name="同時編集 保護者", relationship="母")],
    )
    tallies = [Tally() for _ in range(THREADS)]

    def work_on_client(number: int, tally: Tally) -> None:
        try:
            for step in range(CLIENT_EDITS_PER_THREAD):
                notes = f"同時編集試験 {number}-{step}"
                version = edit_client(client.pk, coordinators[number % len(coordinators)], notes, tally)
                tally.edits.append((client.pk, version, notes))
        except Exception as error:
            tally.errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work_on_client, args=(n, tally)) for n, tally in enumerate(tallies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert [error for tally in tallies for error in tally.errors] == []
        edits = sorted(edit for tally in tallies for edit in tally.edits)
        # Each acknowledged edit has its own version, the client holds the last one, and its
        # guardian came through every save.
        assert [version for _, version, _ in edits] == list(range(2, THREADS * CLIENT_EDITS_PER_THREAD + 2))
        client.refresh_from_db()
        assert (client.version, client.notes) == (edits[-1][1], edits[-1][2])
        assert list(client.guardians.values_list("name", flat=True)) == ["同時編集 保護者"]
        assert sum(tally.conflicts for tally in tallies) > 0, "the threads should have collided"
    finally:
        Guardian.objects.filter(client=client).delete()
        Guardian.history.model.objects.filter(client_id=client.pk).delete()
        client.procedures.clear()
        Client.objects.filter(pk=client.pk).delete()
        Client.history.model.objects.filter(id=client.pk).delete()
