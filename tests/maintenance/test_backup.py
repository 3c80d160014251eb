"""`manage.py backup` and `restore` on whatever database the suite runs on (SQLite or PostgreSQL).

The tests commit for real (writer threads need committed rows; a backup reads the database from
outside Django's connection) and delete the rows they wrote.
"""

import os
import re
import sqlite3
import threading
import time
from contextlib import closing
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Office, User
from coordination.logs.models import ContactLog, ContactMethod
from maintenance.encryption import MAGIC

DEMO_OFFICE = "北区医療的ケア児等コーディネーター事業"
KEY_A = "q0mX1ySgYzUu2tB8x6sFQ3gk0v9K6mYcGk7r2s1N4aE="
KEY_B = "hV3S6Q8w2Gz9YtL1cJm4Xo7pE0aR5uK2nB8dF1sW6qI="


# --- reading every table ----------------------------------------------------------------------


def every_table(database: dict) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's column names and rows (in a fixed order), read outside Django's connection."""
    if database["ENGINE"].endswith("sqlite3"):
        path = Path(database["NAME"]).resolve()
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as raw:
            names = [
                n
                for (n,) in raw.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            tables = {}
            for name in names:
                cursor = raw.execute(f'SELECT * FROM "{name}"')
                tables[name] = ([c[0] for c in cursor.description], sorted(cursor.fetchall(), key=repr))
            return tables
    with closing(pg_connect(database)) as raw:
        names = [n for (n,) in raw.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        tables = {}
        for name in names:
            cursor = raw.execute(f'SELECT * FROM "{name}"')
            tables[name] = ([c.name for c in cursor.description], sorted(cursor.fetchall(), key=repr))
        return tables


def pg_connect(database: dict) -> psycopg.Connection:
    return psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        host=database["HOST"] or None,
        port=str(database["PORT"] or "") or None,
        autocommit=True,
    )


def row_counts(tables: dict) -> dict[str, int]:
    return {name: len(rows) for name, (_, rows) in tables.items()}


def assert_same_tables(restored: dict, expected: dict) -> None:
    assert row_counts(restored) == row_counts(expected)
    different = [name for name in expected if restored[name] != expected[name]]
    assert different == [], f"content differs in {different}"


# --- an empty database to restore into --------------------------------------------------------


@pytest.fixture
def empty_database(committed_db, tmp_path):
    """A database with no tables on the suite's server: (settings dict, URL for --database-url)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}, f"sqlite:///{path}"
        return
    source = connection.settings_dict
    name = f"{source['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = quote(source["USER"], safe="") + (f":{quote(source['PASSWORD'], safe='')}" if source["PASSWORD"] else "")
    try:
        yield {**source, "NAME": name}, f"postgres://{auth}@{source['HOST']}:{source['PORT']}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backup(directory: Path, *args: str) -> tuple[Path, str]:
    out = StringIO()
    call_command("backup", str(directory), *args, stdout=out)
    return Path(re.search(r"バックアップを書きました: (.+?)（", out.getvalue()).group(1)), out.getvalue()


def restore(path: Path, url: str) -> str:
    out = StringIO()
    call_command("restore", str(path), database_url=url, stdout=out)
    return out.getvalue()


# --- a live database under writes -------------------------------------------------------------


class Writer(threading.Thread):
    """Keeps creating contact logs and editing its own, one transaction each, until told to stop.

    Each transaction first moves a shared clock on (the version of one log kept for this): that row
    lock puts all writers' transactions in one commit order, numbered by the clock. `journal` lists
    every committed change as (clock, kind, log id, summary); `started` counts transactions begun.
    Rows are saved with bulk_create / update(), which write no history rows, so the writers touch
    one table only.
    """

    def __init__(self, number: int, stop: threading.Event, fields: dict, clock: int):
        super().__init__(daemon=True)
        self.number, self.stop, self.fields, self.clock = number, stop, fields, clock
        self.journal: list[tuple[int, str, int, str]] = []
        self.started = 0
        self.error: BaseException | None = None

    def run(self):
        own: list[int] = []
        try:
            while not self.stop.is_set():
                self.started += 1
                summary = f"バックアップ試験 {self.number}-{self.started}"
                with transaction.atomic():
                    ContactLog.objects.filter(pk=self.clock).update(version=F("version") + 1)
                    tick = ContactLog.objects.values_list("version", flat=True).get(pk=self.clock)
                    if self.started % 3 == 1:
                        (log,) = ContactLog.objects.bulk_create([ContactLog(report_summary=summary, **self.fields)])
                        change = (tick, "create", log.pk, summary)
                    else:
                        pk = own[self.started % len(own)]
                        ContactLog.objects.filter(pk=pk).update(version=F("version") + 1, report_summary=summary)
                        change = (tick, "update", pk, summary)
                self.journal.append(change)
                if change[1] == "create":
                    own.append(change[2])
                time.sleep(0.001)
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            connection.close()

    def committed(self) -> int:
        return len(self.journal)


def replay(changes) -> dict[int, tuple[int, str]]:
    """The writers' rows after these changes: id → (version, report_summary)."""
    state: dict[int, tuple[int, str]] = {}
    for _, kind, pk, summary in changes:
        state[pk] = (1, summary) if kind == "create" else (state[pk][0] + 1, summary)
    return state


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writers made no progress"
        time.sleep(0.01)


@pytest.fixture
def writer_fields(committed_db):
    office = Office.objects.get(name=DEMO_OFFICE)
    return {
        "office": office,
        "coordinator": User.objects.get(username="coordinator"),
        "method": ContactMethod.objects.get(code="phone"),
        "occurred_on": timezone.localdate(),
    }


def delete_logs(ids) -> None:
    """Removes the writers' rows without writing history rows (they never had any)."""
    ids = list(ids)
    if ids:
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {ContactLog._meta.db_table} WHERE id IN ({placeholders})", ids)


def test_a_backup_taken_under_writes_restores_to_the_database_as_it_was_at_one_moment(
    writer_fields, empty_database, tmp_path
):
    """Four threads write while the backup runs; the restored copy is the source as of one instant.

    A consistent backup is the database as of one moment: every transaction committed before it,
    none after. The writers' transactions commit in the order of a shared clock row, so that
    moment is "every change up to clock N", and N is the clock row's value in the copy. N must lie
    between the last change committed before the backup began and the number of transactions
    begun before it returned. The expected database is the source after the writers stopped with
    the writers' rows put back to clock N (rows created later dropped, later edits undone); every
    table of the restored database must equal it, row for row and column for column. A backup
    that lost one committed change, or kept one from after its moment, fails this.
    """
    target, url = empty_database
    (clock,) = ContactLog.objects.bulk_create([ContactLog(report_summary="バックアップ試験の時計", **writer_fields)])
    stop = threading.Event()
    writers = [Writer(number, stop, writer_fields, clock.pk) for number in range(1, 5)]
    for writer in writers:
        writer.start()
    try:
        wait_until(lambda: all(writer.committed() >= 6 for writer in writers))
        committed_before = max(change[0] for writer in writers for change in list(writer.journal))
        path, output = backup(tmp_path / "backups")
        begun = sum(writer.started for writer in writers)
        wait_until(lambda: sum(writer.committed() for writer in writers) >= begun + 20)
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    changes = sorted(change for writer in writers for change in writer.journal)
    try:
        assert [writer.error for writer in writers] == [None] * 4
        assert [change[0] for change in changes] == list(range(2, len(changes) + 2))
        source = every_table(connection.settings_dict)

        restored_output = restore(path, url)
        restored = every_table(target)

        table = ContactLog._meta.db_table
        columns, rows = source[table]
        id_at, version_at, summary_at = (columns.index(name) for name in ("id", "version", "report_summary"))
        moment = next(row[version_at] for row in restored[table][1] if row[id_at] == clock.pk)
        assert committed_before <= moment <= begun + 1
        as_of_backup = replay(change for change in changes if change[0] <= moment)
        as_of_backup[clock.pk] = (moment, clock.report_summary)

        written = {change[2] for change in changes} | {clock.pk}
        expected_rows = []
        for row in rows:
            if row[id_at] not in written:
                expected_rows.append(row)
            elif row[id_at] in as_of_backup:
                row = list(row)
                row[version_at], row[summary_at] = as_of_backup[row[id_at]]
                expected_rows.append(tuple(row))
        expected = {**source, table: (columns, sorted(expected_rows, key=repr))}

        assert_same_tables(restored, expected)
        assert f"合計 {sum(row_counts(expected).values()):,} 行" in restored_output
        print(
            f"\nbackup under writes ({connection.vendor}): {output.strip()}; {len(changes)} changes committed "
            f"by 4 writers, the copy holds the first {moment - 1}, {moment - committed_before} committed during the backup"
        )
    finally:
        delete_logs({change[2] for change in changes} | {clock.pk})


@pytest.mark.parametrize("encrypted", [False, True])
def test_backups_and_a_restored_sqlite_file_are_readable_by_their_owner_only(
    committed_db, empty_database, tmp_path, monkeypatch, encrypted
):
    target, url = empty_database
    monkeypatch.setenv("TSUNAGU_BACKUP_KEY", KEY_A)
    previous = os.umask(0o022)  # the usual umask, which leaves new files readable by everyone
    try:
        path, _ = backup(tmp_path / "backups", *(["--encrypt"] if encrypted else []))
        restore(path, url)
    finally:
        os.umask(previous)

    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    if connection.vendor == "sqlite":
        assert Path(target["NAME"]).stat().st_mode & 0o777 == 0o600


def test_an_encrypted_backup_restores_with_its_key(committed_db, empty_database, tmp_path, monkeypatch):
    target, url = empty_database
    monkeypatch.setenv("TSUNAGU_BACKUP_KEY", KEY_A)

    path, output = backup(tmp_path / "backups", "--encrypt")
    restore(path, url)

    assert path.name.endswith(".enc") and "暗号化あり" in output
    assert path.read_bytes().startswith(MAGIC)
    assert_same_tables(every_table(target), every_table(connection.settings_dict))


def test_a_backup_encrypted_with_another_key_is_refused_and_nothing_is_restored(
    committed_db, empty_database, tmp_path, monkeypatch
):
    target, url = empty_database
    monkeypatch.setenv("TSUNAGU_BACKUP_KEY", KEY_A)
    path, _ = backup(tmp_path / "backups")

    monkeypatch.setenv("TSUNAGU_BACKUP_KEY", KEY_B)
    with pytest.raises(CommandError, match="鍵が、このバックアップを暗号化した鍵と違います"):
        restore(path, url)

    if connection.vendor == "sqlite":
        assert not Path(target["NAME"]).exists()
    else:
        assert every_table(target) == {}


def test_an_encrypted_backup_without_a_key_is_refused(committed_db, empty_database, tmp_path, monkeypatch):
    _, url = empty_database
    monkeypatch.setenv("TSUNAGU_BACKUP_KEY", KEY_A)
    path, _ = backup(tmp_path / "backups")
    monkeypatch.delenv("TSUNAGU_BACKUP_KEY")

    with pytest.raises(CommandError, match="暗号化されています"):
        restore(path, url)


def test_encrypt_without_a_key_writes_nothing(committed_db, tmp_path, monkeypatch):
    monkeypatch.delenv("TSUNAGU_BACKUP_KEY", raising=False)

    with pytest.raises(CommandError, match="TSUNAGU_BACKUP_KEY がありません"):
        backup(tmp_path / "backups", "--encrypt")

    assert not (tmp_path / "backups").exists() or list((tmp_path / "backups").iterdir()) == []


def test_restoring_into_a_database_that_has_tables_is_refused_and_changes_nothing(committed_db, tmp_path, monkeypatch):
    monkeypatch.delenv("TSUNAGU_BACKUP_KEY", raising=False)
    path, _ = backup(tmp_path / "backups")
    before = every_table(connection.settings_dict)

    with pytest.raises(CommandError, match="空のデータベースにだけ"):
        call_command("restore", str(path), stdout=StringIO())

    assert every_table(connection.settings_dict) == before


def test_keep_leaves_the_newest_generations_and_files_of_other_names(committed_db, tmp_path, monkeypatch):
    monkeypatch.delenv("TSUNAGU_BACKUP_KEY", raising=False)
    directory = tmp_path / "backups"
    directory.mkdir()
    (directory / "notes.txt").write_text("手作業のメモ")
    (directory / "tsunagu-before-upgrade.sqlite3").write_bytes(b"")

    written = [backup(directory, "--keep", "2") for _ in range(4)]

    ours = sorted(path.name for path in directory.iterdir() if path.name.startswith("tsunagu-2"))
    assert ours == sorted(path.name for path, _ in written[-2:])
    assert (directory / "notes.txt").exists() and (directory / "tsunagu-before-upgrade.sqlite3").exists()
    assert "世代: 2 件を保存しています（最大 2 件、古い 1 件を削除）" in written[-1][1]
