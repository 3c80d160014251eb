"""Consistent backups of the running database, their generations, and restores into an empty one.

A database is given as a Django settings dict (ENGINE, NAME, USER, PASSWORD, HOST, PORT, OPTIONS),
so the commands can work on the configured database and a restore drill on any other.

- SQLite: the online backup API copies the live file as one consistent snapshot (one read
  transaction; in WAL mode writers go on meanwhile); restores go through the same API into the
  target, so the target is written under SQLite's own locking and journal.
- PostgreSQL: `pg_dump -Fc` (one REPEATABLE READ snapshot) and `pg_restore --single-transaction`,
  with the password in PGPASSWORD, never on a command line.

Files are named `tsunagu-<UTC time>[-n].<sqlite3|dump>[.enc]`, written under a dot-name and renamed
when complete, readable by their owner only.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import psycopg
from psycopg import sql

from .encryption import BackupDamagedError, BackupKeyError, decrypt_chunks, encrypt_stream, is_encrypted
from .files import create_private

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
NAME_PATTERN = re.compile(r"^tsunagu-(\d{8}T\d{6}Z)(?:-(\d+))?\.(sqlite3|dump)(\.enc)?$")
SUFFIXES = {"sqlite": "sqlite3", "postgresql": "dump"}
KIND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# libpq reads these from the environment; Django's OPTIONS may carry them for TLS connections.
PG_ENV_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Japanese, for the admin."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    kept: list[Path]
    deleted: list[Path]


@dataclass(frozen=True)
class RestoreResult:
    kind: str
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def database_kind(database: dict) -> str:
    """'sqlite' or 'postgresql'; any other engine is refused."""
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"このデータベース（{engine}）のバックアップには対応していません。")


# --- generations ----------------------------------------------------------------------------------


def generations(directory: Path) -> list[Path]:
    """Our own backup files in `directory`, newest first; files of any other name are not ours."""
    found = []
    for path in directory.iterdir():
        match = NAME_PATTERN.match(path.name)
        if match and path.is_file():
            found.append(((match.group(1), int(match.group(2) or 1)), path))
    return [path for _, path in sorted(found, reverse=True)]


def _new_name(directory: Path, kind: str, encrypted: bool, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = SUFFIXES[kind] + (".enc" if encrypted else "")
    # A second backup within the same second gets -2, -3…: above every number of that second
    # still there, so the newest is always the highest, even after older ones were deleted.
    numbers = [
        int(match.group(2) or 1)
        for match in (NAME_PATTERN.match(path.name) for path in directory.iterdir())
        if match and match.group(1) == stamp
    ]
    if not numbers:
        return directory / f"tsunagu-{stamp}.{suffix}"
    return directory / f"tsunagu-{stamp}-{max(numbers) + 1}.{suffix}"


def _private_file(path: Path) -> BinaryIO:
    """A new file only its owner may read: backups hold personal data."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


@contextmanager
def _temporary(path: Path) -> Iterator[Path]:
    """A work file beside `path` that is gone afterwards, whatever happened."""
    try:
        yield path
    finally:
        for leftover in (path, Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)


# --- backup ---------------------------------------------------------------------------------------


def backup_create(
    *, database: dict, directory: Path, keep: int, key: bytes | None, now: datetime | None = None
) -> BackupResult:
    """Writes one consistent backup into `directory`, then deletes our oldest beyond `keep`."""
    if keep < 1:
        raise BackupError("--keep は 1 以上にしてください。")
    kind = database_kind(database)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = _new_name(directory, kind, key is not None, now or datetime.now(UTC))
    partial = directory / f".{target.name}.partial"
    started = time.monotonic()
    with _temporary(partial):
        if kind == "sqlite":
            try:
                _sqlite_backup(Path(database["NAME"]), partial, key)
            except sqlite3.DatabaseError as error:
                raise BackupError(f"SQLite のエラーでバックアップを取れませんでした: {error}") from error
        else:
            _pg_backup(database, partial, key)
        os.replace(partial, target)
    seconds = time.monotonic() - started
    # The backup just written is kept whatever the clock said of the others.
    others = [path for path in generations(directory) if path != target]
    kept, deleted = [target, *others[: keep - 1]], others[keep - 1 :]
    for old in deleted:
        old.unlink()
    return BackupResult(path=target, size=target.stat().st_size, seconds=seconds, kept=kept, deleted=deleted)


def _sqlite_connect_existing(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Opens a database file that must exist (sqlite3.connect would quietly create an empty one)."""
    if not path.is_file():
        raise BackupError(f"データベースのファイルがありません: {path}")
    mode = "ro" if read_only else "rw"
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=60)


def _sqlite_integrity(connection: sqlite3.Connection) -> str:
    return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check").fetchall())


def _sqlite_backup(source_path: Path, partial: Path, key: bytes | None) -> None:
    # Encrypted, the plain copy is a second work file that goes once the encrypted one is written.
    snapshot = partial.with_name(partial.name + ".sqlite3") if key else partial
    with _temporary(snapshot) if key else nullcontext():
        _private_file(snapshot).close()
        with closing(_sqlite_connect_existing(source_path)) as source, closing(sqlite3.connect(snapshot)) as copy:
            # One step (pages=-1): the copy is the database as of one read transaction.
            source.backup(copy, pages=-1)
            # One self-contained file: no WAL beside it, whatever the live database uses.
            copy.execute("PRAGMA journal_mode=DELETE")
            integrity = _sqlite_integrity(copy)
        if integrity != "ok":
            raise BackupError(f"コピーの整合性検査に失敗しました: {integrity}")
        if key:
            with open(snapshot, "rb") as plain, _private_file(partial) as encrypted:
                encrypt_stream(plain, encrypted, key)


def _pg_connection_args(database: dict) -> tuple[list[str], dict[str, str]]:
    """Command-line arguments and environment for libpq tools; the password only in the environment."""
    args = []
    if database.get("HOST"):
        args.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        args.append(f"--port={database['PORT']}")
    if database.get("USER"):
        args.append(f"--username={database['USER']}")
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    for option, variable in PG_ENV_OPTIONS.items():
        if database.get("OPTIONS", {}).get(option):
            env[variable] = str(database["OPTIONS"][option])
    return args, env


def _pg_connect(database: dict) -> psycopg.Connection:
    options = {name: str(value) for name, value in database.get("OPTIONS", {}).items() if name in PG_ENV_OPTIONS}
    try:
        return psycopg.connect(
            dbname=database["NAME"],
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            host=database.get("HOST") or None,
            port=str(database["PORT"]) if database.get("PORT") else None,
            autocommit=True,
            **options,
        )
    except psycopg.OperationalError as error:
        raise BackupError(f"PostgreSQL に接続できません（{database['NAME']}）: {error}") from error


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump or pg_restore of the server's major version (Debian keeps each in its own directory)."""
    versioned = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    path = str(versioned) if versioned.is_file() else shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} が見つかりません。サーバーと同じ版のクライアント（postgresql-client-{server_major}）を入れてください。"
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"\)\s*(\d+)", output)
    tool_major = int(match.group(1)) if match else 0
    # A newer pg_dump reads an older server; an older one refuses a newer server, and its dump
    # could not be restored by the server's own tools.
    if tool_major < server_major:
        raise BackupError(
            f"{path} の版（{tool_major}）が PostgreSQL サーバーの版（{server_major}）より古いため使えません。"
            f"postgresql-client-{server_major} を入れてください。"
        )
    return path


def _server_major(database: dict) -> int:
    with closing(_pg_connect(database)) as connection:
        return connection.info.server_version // 10000


def _pg_backup(database: dict, partial: Path, key: bytes | None) -> None:
    pg_dump = pg_tool("pg_dump", _server_major(database))
    args, env = _pg_connection_args(database)
    command = [pg_dump, "--format=custom", "--no-password", *args, f"--dbname={database['NAME']}"]
    with tempfile.TemporaryFile() as errors, _private_file(partial) as output:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
        try:
            if key:
                encrypt_stream(process.stdout, output, key)
            else:
                shutil.copyfileobj(process.stdout, output, 1024 * 1024)
        finally:
            process.stdout.close()
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupError(f"pg_dump が失敗しました（終了コード {returncode}）: {message}")


# --- restore --------------------------------------------------------------------------------------


def _plain_chunks(path: Path, key: bytes | None) -> Iterator[bytes]:
    """The backup's plain bytes in chunks, decrypted when the file is encrypted."""
    with open(path, "rb") as file:
        if is_encrypted(path):
            if key is None:
                raise BackupKeyError(
                    "このバックアップは暗号化されています。環境変数 TSUNAGU_BACKUP_KEY に鍵を設定してください。"
                )
            yield from decrypt_chunks(file, key)
        else:
            yield from iter(lambda: file.read(1024 * 1024), b"")


def _backup_kind(path: Path, key: bytes | None) -> str:
    """Checks the whole file (every chunk's tag when encrypted) and tells which database made it."""
    head, size = b"", 0
    try:
        for chunk in _plain_chunks(path, key):
            if len(head) < 16:
                head += chunk[:16]
            size += len(chunk)
    except (BackupKeyError, BackupDamagedError) as error:
        raise BackupError(f"{error}何も復元していません。") from error
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_CUSTOM_HEADER):
        return "postgresql"
    raise BackupError(
        f"{path.name} はつなぐのバックアップではありません（SQLite のファイルでも pg_dump -Fc のファイルでもありません）。"
    )


def restore(*, path: Path, database: dict, key: bytes | None) -> RestoreResult:
    """Restores a backup into `database`, which must hold no table; refuses (changing nothing) otherwise."""
    if not path.is_file():
        raise BackupError(f"バックアップのファイルがありません: {path}")
    target_kind = database_kind(database)
    backup_kind = _backup_kind(path, key)
    if backup_kind != target_kind:
        raise BackupError(
            f"このバックアップは {KIND_LABELS[backup_kind]} のものです。"
            f"{KIND_LABELS[target_kind]} のデータベースへは復元できません。"
        )
    if target_kind == "sqlite":
        try:
            return _sqlite_restore(path, Path(database["NAME"]), key)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"SQLite のエラーで復元できませんでした: {error}") from error
    return _pg_restore(path, database, key)


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows]


def _refuse_unless_empty(tables: list[str], where: str) -> None:
    if tables:
        raise BackupError(
            f"復元先のデータベース（{where}）にはすでに {len(tables)} 個の表があります。"
            "復元は空のデータベースにだけ行います。何も変更していません。"
        )


def _sqlite_restore(path: Path, target: Path, key: bytes | None) -> RestoreResult:
    if target.exists():
        with closing(_sqlite_connect_existing(target, read_only=True)) as existing:
            _refuse_unless_empty(_sqlite_tables(existing), str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    encrypted = is_encrypted(path)
    plain = target.with_name(f".{target.name}.restore.partial") if encrypted else path
    with _temporary(plain) if encrypted else nullcontext():
        if encrypted:
            with _private_file(plain) as output:
                for chunk in _plain_chunks(path, key):
                    output.write(chunk)
        with closing(_sqlite_connect_existing(plain, read_only=True)) as source:
            integrity = _sqlite_integrity(source)
            if integrity != "ok":
                raise BackupError(f"バックアップの整合性検査に失敗しました: {integrity}。何も復元していません。")
            # sqlite3.connect would create a missing target with the umask's mode: owner-only instead.
            create_private(target)
            with closing(sqlite3.connect(target, timeout=60)) as copy:
                # Checked again on the connection that writes, in case the file changed meanwhile.
                _refuse_unless_empty(_sqlite_tables(copy), str(target))
                source.backup(copy, pages=-1)
    with closing(_sqlite_connect_existing(target, read_only=True)) as restored:
        integrity = _sqlite_integrity(restored)
        if integrity != "ok":
            raise BackupError(f"復元したデータベースの整合性検査に失敗しました: {integrity}")
        counts = {
            table: restored.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in _sqlite_tables(restored)
        }
    return RestoreResult(kind="sqlite", row_counts=counts)


def _pg_tables(connection: psycopg.Connection) -> list[tuple[str, str]]:
    rows = connection.execute(
        "SELECT schemaname, tablename FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, tablename"
    )
    return [(schema, table) for schema, table in rows]


def _pg_restore(path: Path, database: dict, key: bytes | None) -> RestoreResult:
    with closing(_pg_connect(database)) as connection:
        _refuse_unless_empty(_pg_tables(connection), database["NAME"])
        server_major = connection.info.server_version // 10000
    pg_restore = pg_tool("pg_restore", server_major)
    args, env = _pg_connection_args(database)
    # Owners and grants are the target server's: the restoring role owns what it creates. One
    # transaction and the first error stops it, so a failed restore leaves the database empty.
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        *args,
        f"--dbname={database['NAME']}",
    ]
    with tempfile.TemporaryFile() as errors:
        # The plain dump goes through a pipe: decrypted, it never lies on a disk.
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors, env=env)
        try:
            for chunk in _plain_chunks(path, key):
                process.stdin.write(chunk)
        except BrokenPipeError:
            pass
        finally:
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupError(f"pg_restore が失敗しました（終了コード {returncode}）。何も復元していません: {message}")
    with closing(_pg_connect(database)) as connection:
        counts = {
            f"{schema}.{table}" if schema != "public" else table: connection.execute(
                sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            ).fetchone()[0]
            for schema, table in _pg_tables(connection)
        }
    return RestoreResult(kind="postgresql", row_counts=counts)
