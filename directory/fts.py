"""SQLite's index for the directory's word search: an FTS5 table with the trigram tokenizer.

The word search asks whether the folded `Provider.search_text` contains the folded query
(directory/selectors.py::matching_query). PostgreSQL answers `LIKE '%…%'` from a trigram GIN
index (migration 0005). SQLite has no such index, and a scan of 100,000 folded texts costs
about 100 ms; FTS5's trigram tokenizer (SQLite 3.34+) indexes every three characters of the
text, so a quoted phrase of three or more characters finds exactly the rows whose text contains
it, in a few milliseconds. Shorter words have no trigram: they stay a `LIKE` scan.

`directory_provider_fts` is an external-content table over directory_provider (it stores only
the index, not a second copy of the text) kept in step by three triggers, so every way of
writing a provider — save(), bulk_create(), bulk_update(), update(), raw SQL, a deletion —
updates it in the same transaction. `case_sensitive 1`: both sides are folded already
(directory/search.py), so the index compares exactly as `instr()` would.

Django rebuilds a SQLite table to alter it (a later migration adding a field to Provider) and
drops the old table's triggers with it; `ensure_search_index` runs after every `migrate`
(post_migrate, see apps.py) and puts back whatever is missing, then rebuilds the index.
"""

TABLE = "directory_provider_fts"
TRIGGERS = {
    f"{TABLE}_insert": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON directory_provider BEGIN
            INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    f"{TABLE}_delete": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON directory_provider BEGIN
            INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        END""",
    f"{TABLE}_update": f"""
        CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF id, search_text ON directory_provider BEGIN
            INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
            INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}
# Characters of the shortest key the index can answer (one trigram).
MIN_LENGTH = 3


def applies_to(connection) -> bool:
    return connection.vendor == "sqlite"


def ensure_search_index(connection) -> bool:
    """Creates the FTS table and its triggers where missing (SQLite only); True if it had to.

    A table or trigger that was missing means the index may have missed writes: it is rebuilt
    from directory_provider."""
    if not applies_to(connection):
        return False
    names = [TABLE, *TRIGGERS]
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(names))
        cursor.execute(f"SELECT name FROM sqlite_master WHERE name IN ({placeholders})", names)
        if len(cursor.fetchall()) == len(names):
            return False
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(search_text, content='directory_provider',"
            " content_rowid='id', tokenize='trigram case_sensitive 1')"
        )
        for sql in TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
    return True


def drop_search_index(connection) -> None:
    if not applies_to(connection):
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def phrase(key: str) -> str:
    """An FTS5 string for `key`: quoted, so every character is literal (a quote is doubled)."""
    return '"' + key.replace('"', '""') + '"'


def match_sql(keys: list[str]) -> tuple[str, list[str]]:
    """SQL for the ids of the providers whose search_text contains one of `keys` (3+ characters each)."""
    return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [" OR ".join(phrase(key) for key in keys)]
