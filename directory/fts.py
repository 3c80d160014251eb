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

Two-character words (王子, 北区, ao) have no trigram. For them each database has an index of the
text's two-character sequences (bigrams): a contains-this-bigram question is exactly the
contains-this-word one for a word of two characters. PostgreSQL: a GIN index on the expression
`tsunagu_bigrams(search_text)`, an immutable SQL function giving the text's distinct bigrams as an
array (migration 0017), asked with `@> ARRAY[word]`. SQLite: a contentless FTS5 table,
`directory_provider_bigrams`, whose one column holds each bigram as a token (its UTF-8 bytes in hex,
so that no tokenizer rule about punctuation or scripts applies), kept by three triggers that call the
same function, registered on every connection Django opens (`register_functions`). A 100,000-provider
directory's two-character search goes from a scan of every text (≈ 100 ms) to the index.
One-character words stay a `LIKE` scan.
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

BIGRAM_TABLE = "directory_provider_bigrams"
BIGRAM_FUNCTION = "tsunagu_bigrams"
BIGRAM_TRIGGERS = {
    f"{BIGRAM_TABLE}_insert": f"""
        CREATE TRIGGER IF NOT EXISTS {BIGRAM_TABLE}_insert AFTER INSERT ON directory_provider BEGIN
            INSERT INTO {BIGRAM_TABLE}(rowid, bigrams) VALUES (new.id, {BIGRAM_FUNCTION}(new.search_text));
        END""",
    f"{BIGRAM_TABLE}_delete": f"""
        CREATE TRIGGER IF NOT EXISTS {BIGRAM_TABLE}_delete AFTER DELETE ON directory_provider BEGIN
            INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}, rowid, bigrams)
                VALUES ('delete', old.id, {BIGRAM_FUNCTION}(old.search_text));
        END""",
    f"{BIGRAM_TABLE}_update": f"""
        CREATE TRIGGER IF NOT EXISTS {BIGRAM_TABLE}_update AFTER UPDATE OF id, search_text ON directory_provider
        BEGIN
            INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}, rowid, bigrams)
                VALUES ('delete', old.id, {BIGRAM_FUNCTION}(old.search_text));
            INSERT INTO {BIGRAM_TABLE}(rowid, bigrams) VALUES (new.id, {BIGRAM_FUNCTION}(new.search_text));
        END""",
}
# PostgreSQL's twin of bigram_tokens (migration 0017): the distinct bigrams, as they are. Its COST (in
# cpu_operator_cost units, 100 for an SQL function by default) tells the planner that computing it for
# every row is dear: a search ordered by フリガナ otherwise walked the フリガナ index computing it for each
# provider until 50 matched (2.5 s at 100,000) instead of reading the GIN index (under 10 ms).
POSTGRESQL_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION {BIGRAM_FUNCTION}(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
        SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{{}}') FROM generate_series(1, length($1) - 1) AS i
    $$"""
POSTGRESQL_INDEX = "directory_provider_search_bigram"


def bigram_token(bigram: str) -> str:
    return bigram.encode("utf-8").hex()


def bigram_tokens(text: str | None) -> str:
    """The text's distinct two-character sequences, as FTS5 tokens separated by spaces."""
    if not text:
        return ""
    return " ".join(sorted({bigram_token(text[i : i + 2]) for i in range(len(text) - 1)}))


def register_functions(sender, connection, **kwargs) -> None:
    """connection_created: SQLite's bigram triggers call bigram_tokens (directory/apps.py)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(BIGRAM_FUNCTION, 1, bigram_tokens, deterministic=True)


def has_bigram_index(connection) -> bool:
    return connection.vendor in ("sqlite", "postgresql")


def bigram_sql(key: str) -> tuple[str, list[str]]:
    """SQLite: SQL for the ids of the providers whose search_text contains the two-character `key`."""
    return f"SELECT rowid FROM {BIGRAM_TABLE} WHERE {BIGRAM_TABLE} MATCH %s", [phrase(bigram_token(key))]


def bigram_condition_sql(key: str) -> tuple[str, list[str]]:
    """PostgreSQL: a condition on the (unaliased) provider table itself, which its GIN index answers."""
    return f'{BIGRAM_FUNCTION}("directory_provider"."search_text") @> ARRAY[%s]::text[]', [key]


def applies_to(connection) -> bool:
    return connection.vendor == "sqlite"


def ensure_search_index(connection) -> bool:
    """Creates the FTS table and its triggers where missing (SQLite only); True if it had to.

    A table or trigger that was missing means the index may have missed writes: it is rebuilt
    from directory_provider."""
    if not applies_to(connection):
        return False
    names = [TABLE, *TRIGGERS, BIGRAM_TABLE, *BIGRAM_TRIGGERS]
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(names))
        cursor.execute(f"SELECT name FROM sqlite_master WHERE name IN ({placeholders})", names)
        if len(cursor.fetchall()) == len(names):
            return False
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(search_text, content='directory_provider',"
            " content_rowid='id', tokenize='trigram case_sensitive 1')"
        )
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {BIGRAM_TABLE} USING fts5(bigrams, content='', tokenize='ascii')"
        )
        for sql in [*TRIGGERS.values(), *BIGRAM_TRIGGERS.values()]:
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
        cursor.execute(f"INSERT INTO {BIGRAM_TABLE}({BIGRAM_TABLE}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {BIGRAM_TABLE}(rowid, bigrams) SELECT id, {BIGRAM_FUNCTION}(search_text) FROM directory_provider"
        )
    return True


def drop_search_index(connection) -> None:
    if not applies_to(connection):
        return
    with connection.cursor() as cursor:
        for name in [*TRIGGERS, *BIGRAM_TRIGGERS]:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {BIGRAM_TABLE}")


def phrase(key: str) -> str:
    """An FTS5 string for `key`: quoted, so every character is literal (a quote is doubled)."""
    return '"' + key.replace('"', '""') + '"'


def match_sql(keys: list[str]) -> tuple[str, list[str]]:
    """SQL for the ids of the providers whose search_text contains one of `keys` (3+ characters each)."""
    return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [" OR ".join(phrase(key) for key in keys)]
