"""Files that hold personal data, readable by their owner only (mode 0600).

SQLite gives a database's `-wal` and `-shm` files the mode of the database file, so a database
file created owner-only keeps its journal owner-only too.
"""

import os
from pathlib import Path

from django.db.backends.signals import connection_created

OWNER_ONLY = 0o600


def create_private(path: Path) -> None:
    """Creates the file empty and owner-only, unless it already exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
    except FileExistsError:
        pass


def _sqlite_path(name) -> Path | None:
    """The file a SQLite database name stands for, or None when it lives in memory."""
    name = str(name or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def create_sqlite_files_private(databases: dict) -> None:
    """Creates each configured SQLite file owner-only before Django first opens (and so creates) it."""
    for database in databases.values():
        path = _sqlite_path(database["NAME"]) if database["ENGINE"] == "django.db.backends.sqlite3" else None
        # A missing folder is left for SQLite to report, as it would without us.
        if path is not None and path.parent.is_dir():
            create_private(path)


def keep_sqlite_files_private(sender, connection, **kwargs) -> None:
    """On each new connection, the database file and its journal owner-only: also a test database,
    which Django creates itself, and a file created before this rule."""
    path = _sqlite_path(connection.settings_dict["NAME"]) if connection.vendor == "sqlite" else None
    if path is None:
        return
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if file.stat().st_mode & 0o777 != OWNER_ONLY:
                file.chmod(OWNER_ONLY)
        except FileNotFoundError:
            continue


def connect_signals() -> None:
    connection_created.connect(keep_sqlite_files_private, dispatch_uid="maintenance.keep_sqlite_files_private")
