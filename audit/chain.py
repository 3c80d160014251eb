"""The access log's hash chain: each row carries a SHA-256 over its recorded fields and the previous row's hash.

The triggers of migration 0002 refuse UPDATE and DELETE, but the database's owner can disable or
drop them. The chain makes what they did visible: a changed row no longer matches its own hash, a
deleted row leaves its successor pointing at a hash that is gone, and a row inserted by hand has
to fit both its own hash and its neighbours'. `manage.py verify_access_log` walks it.

Rows chain in id order. Appends are serialized so that two requests never chain to the same
predecessor: on PostgreSQL by an advisory lock taken in the inserting transaction (function
`audit_accessevent_chain_head()`, migration 0004), on SQLite by the write lock that
`transaction_mode = IMMEDIATE` takes at BEGIN (config/settings.py).

`user_id` is left out: the database sets it to NULL when an account is deleted (the username and
role snapshots, which are chained, keep who it was). So is `id`, which is only known after the
insert; the order of the chain is what ties rows to their places.

The serialization is part of the stored data: changing it breaks every existing chain.
"""

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC

# The "previous hash" of the first row.
GENESIS = "0" * 64

# The recorded fields, in the order they are serialized.
CHAINED_FIELDS = (
    "occurred_at",
    "username",
    "role",
    "action",
    "outcome",
    "path",
    "url_name",
    "object_ids",
    "method",
    "status_code",
    "ip_address",
    "user_agent",
)


def _ip(value) -> str | None:
    # PostgreSQL's inet and Python may spell one address differently (an IPv4-mapped IPv6, say).
    return None if value in (None, "") else str(ipaddress.ip_interface(value).ip)


def canonical(values: dict) -> bytes:
    """The fields as they read back from either database: one JSON array, UTF-8."""
    occurred_at = values["occurred_at"]
    status_code = values["status_code"]
    record = [
        "v1",
        occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        *(str(values[name]) for name in ("username", "role", "action", "outcome", "path", "url_name")),
        # The JSON column keeps what json.dumps wrote; sort_keys below makes jsonb's key order irrelevant.
        values["object_ids"],
        str(values["method"]),
        None if status_code is None else int(status_code),
        _ip(values["ip_address"]),
        str(values["user_agent"]),
    ]
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def row_hash(previous_hash: str, values: dict) -> str:
    """SHA-256 (hex) of the previous row's hash and this row's canonical fields."""
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(values)).hexdigest()


def chain_head(connection) -> str:
    """The last row's hash, after taking the append lock: call it in the inserting transaction.

    PostgreSQL: one query. The function takes the advisory lock and only then reads the last row,
    with a snapshot of its own, so it sees the row the previous holder committed. (Under READ
    COMMITTED, Django's default; a lock and a read in one plain SELECT would read too early.)
    """
    if connection.vendor == "postgresql":
        sql = "SELECT audit_accessevent_chain_head()"
    else:
        sql = "SELECT row_hash FROM audit_accessevent ORDER BY id DESC LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return row[0] if row and row[0] else GENESIS


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    row_id: int
    previous_id: int | None
    kind: str  # "changed", "unlinked" or "head"

    @property
    def message(self) -> str:
        if self.kind == "changed":
            return (
                f"アクセス記録が改ざんされています: id {self.row_id} の行の内容が記録時のハッシュと合いません"
                "（書き換えられたか、アプリを通さずに挿入された行です）。"
            )
        if self.kind == "head":
            return (
                f"アクセス記録が改ざんされています: 最初の行 id {self.row_id} が起点につながりません"
                "（それより前の行が削除されています）。"
            )
        return (
            f"アクセス記録が改ざんされています: id {self.row_id} の行が直前の行 id {self.previous_id} に"
            "つながりません（間の行が削除されたか、アプリを通さずに挿入された行があります）。"
        )


@dataclass
class ChainSummary:
    count: int = 0
    last_id: int | None = None
    last_hash: str = GENESIS
    broken: ChainBreak | None = None


def chain_verify(rows) -> ChainSummary:
    """Walks rows (dicts with id, previous_hash, row_hash and the chained fields) in id order; stops at the first break."""
    summary = ChainSummary()
    for row in rows:
        if row_hash(row["previous_hash"], row) != row["row_hash"]:
            summary.broken = ChainBreak(row["id"], summary.last_id, "changed")
        elif row["previous_hash"] != summary.last_hash:
            summary.broken = ChainBreak(row["id"], summary.last_id, "unlinked" if summary.last_id else "head")
        if summary.broken:
            return summary
        summary.count += 1
        summary.last_id, summary.last_hash = row["id"], row["row_hash"]
    return summary
