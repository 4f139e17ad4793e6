"""Record a scan and answer "how many clients looked at this label, and since when".

A *check* is one client's look at a label: repeated loads by the same client within
the check window (``CHECK_WINDOW_MINUTES``, default 30) count once. A client is a keyed
hash of its address and User-Agent (:func:`client_hash`): no cookie, and no raw address
is ever stored. Every request for a label is logged in ``scans`` (people, bots and API
calls alike: the log is complete); only phones and browsers looking at the page count.

Per scan, inside the caller's transaction, on a DB-API connection with one SQL text per
database (the hot path pays no ORM cost):

1. insert the scan row;
2. for a counted client, upsert its ``label_clients`` row, which says whether this load
   counts (first load, or the first after the window) and whether the client is new;
3. when it counts, bump the label's running totals (``label_checks``), else read them;
4. read the public version, so the caller knows whether its cached page is current.

Each step is a single-row upsert, so counts stay exact however many scans arrive at once.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ...models import ClientClass
from ..clients import COUNTED


@dataclass(frozen=True)
class LabelHistory:
    """A label's running totals after this scan."""

    checks: int
    clients: int
    first_checked_at: datetime | None
    #: This request counted as a new check.
    counted: bool = False

    @property
    def first_check(self) -> bool:
        return self.checks <= 1


def client_hash(key: bytes, address: str | None, user_agent: str | None) -> str:
    """16 hex digits of an HMAC of the client's address and User-Agent under ``key``."""
    message = f"{address or ''}\n{user_agent or ''}".encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def client_key(secret: str) -> bytes:
    return hashlib.sha256(b"registry client hash\0" + secret.encode()).digest()


_SQL = {
    "sqlite": {
        "insert": "INSERT INTO scans (batch_id, label_run_id, serial, serial_seq, scanned_at, "
                  "client_class, client_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        "client": "INSERT INTO label_clients (batch_id, serial_seq, client_hash, hits, "
                  "counted_hit, first_seen_at, last_counted_at) VALUES (?, ?, ?, 1, 1, ?, ?) "
                  "ON CONFLICT (batch_id, serial_seq, client_hash) DO UPDATE SET "
                  "hits = hits + 1, "
                  "counted_hit = CASE WHEN last_counted_at <= ? THEN hits + 1 "
                  "ELSE counted_hit END, "
                  "last_counted_at = CASE WHEN last_counted_at <= ? THEN excluded.last_counted_at "
                  "ELSE last_counted_at END "
                  "RETURNING hits, counted_hit",
        "bump": "INSERT INTO label_checks (batch_id, serial_seq, checks, clients, "
                "first_checked_at, last_checked_at) VALUES (?, ?, 1, 1, ?, ?) "
                "ON CONFLICT (batch_id, serial_seq) DO UPDATE SET checks = checks + 1, "
                "clients = clients + ?, last_checked_at = excluded.last_checked_at "
                "RETURNING checks, clients, first_checked_at",
        "read": "SELECT checks, clients, first_checked_at FROM label_checks "
                "WHERE batch_id = ? AND serial_seq = ?",
        "version": "SELECT public_version FROM cache_state WHERE id = 1",
    },
}
_SQL["postgresql"] = {
    name: sql.replace("?", "%s")
    .replace("hits = hits + 1", "hits = label_clients.hits + 1")
    .replace("WHEN last_counted_at", "WHEN label_clients.last_counted_at")
    .replace("THEN hits + 1", "THEN label_clients.hits + 1")
    .replace("ELSE counted_hit END", "ELSE label_clients.counted_hit END")
    .replace("ELSE last_counted_at END", "ELSE label_clients.last_counted_at END")
    .replace("checks = checks + 1", "checks = label_checks.checks + 1")
    .replace("clients = clients + %s", "clients = label_checks.clients + %s")
    for name, sql in _SQL["sqlite"].items()
}


# PostgreSQL: the whole scan in ONE statement (one round trip; psycopg prepares it on
# the server after a few uses). Nothing is written unless the public version is still
# the one the caller's cached facts were read at. Later parts of a statement do not see
# the rows its data-modifying parts wrote, so the totals come from the upserts'
# RETURNING when they ran, else from the table as it was.
_PG_ONE_STATEMENT = """
WITH v AS (SELECT COALESCE((SELECT public_version FROM cache_state WHERE id = 1), 0)
           AS version),
s AS (
    INSERT INTO scans (batch_id, label_run_id, serial, serial_seq, scanned_at, client_class,
                       client_hash)
    SELECT %(batch)s, %(run)s, %(serial)s, %(seq)s, %(now)s, %(class)s, %(client)s
    FROM v WHERE v.version = %(version)s
),
c AS (
    INSERT INTO label_clients (batch_id, serial_seq, client_hash, hits, counted_hit,
                               first_seen_at, last_counted_at)
    SELECT %(batch)s, %(seq)s, %(client)s, 1, 1, %(now)s, %(now)s
    FROM v WHERE v.version = %(version)s AND %(counted)s
    ON CONFLICT (batch_id, serial_seq, client_hash) DO UPDATE SET
        hits = label_clients.hits + 1,
        counted_hit = CASE WHEN label_clients.last_counted_at <= %(cutoff)s
                           THEN label_clients.hits + 1 ELSE label_clients.counted_hit END,
        last_counted_at = CASE WHEN label_clients.last_counted_at <= %(cutoff)s
                               THEN excluded.last_counted_at
                               ELSE label_clients.last_counted_at END
    RETURNING hits, counted_hit
),
t AS (
    INSERT INTO label_checks (batch_id, serial_seq, checks, clients, first_checked_at,
                              last_checked_at)
    SELECT %(batch)s, %(seq)s, 1, 1, %(now)s, %(now)s FROM c WHERE c.hits = c.counted_hit
    ON CONFLICT (batch_id, serial_seq) DO UPDATE SET
        checks = label_checks.checks + 1,
        clients = label_checks.clients + (SELECT CASE WHEN c.hits = 1 THEN 1 ELSE 0 END
                                          FROM c),
        last_checked_at = excluded.last_checked_at
    RETURNING checks, clients, first_checked_at
),
old AS (SELECT checks, clients, first_checked_at FROM label_checks
        WHERE batch_id = %(batch)s AND serial_seq = %(seq)s)
SELECT (SELECT version FROM v),
       COALESCE((SELECT checks FROM t), (SELECT checks FROM old)),
       COALESCE((SELECT clients FROM t), (SELECT clients FROM old)),
       COALESCE((SELECT first_checked_at FROM t), (SELECT first_checked_at FROM old)),
       COALESCE((SELECT c.hits = c.counted_hit FROM c), false)
"""


try:
    from psycopg.pq import TransactionStatus as _TransactionStatus

    _IDLE = _TransactionStatus.IDLE
except ImportError:  # no PostgreSQL driver: this path is never taken
    _IDLE = None


def _record_pg(dbapi_connection, *, batch_id, run_id, serial, seq, client, client_id, at,
               window, version) -> tuple[LabelHistory, int]:
    # One statement is its own transaction: sent in autocommit mode it is one round trip,
    # where psycopg's implicit BEGIN and the caller's COMMIT made it three (the caller's
    # commit or rollback then finds no transaction and does nothing; on a version
    # mismatch the statement wrote nothing).
    alone = not dbapi_connection.autocommit and (
        dbapi_connection.info.transaction_status == _IDLE)
    if alone:
        dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_PG_ONE_STATEMENT, {
            "batch": batch_id, "run": run_id, "serial": serial, "seq": seq, "now": at,
            "class": client.value, "client": client_id, "version": version,
            "counted": client in COUNTED, "cutoff": at - window})
        current, checks, clients, first, counted = cursor.fetchone()
    finally:
        cursor.close()
        if alone:
            dbapi_connection.autocommit = False
    return (LabelHistory(checks or 0, clients or 0, _as_utc(first), bool(counted)),
            current or 0)


def _sqlite_time(moment: datetime) -> str:
    """The text SQLAlchemy stores for a UTC datetime on SQLite."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _as_utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def record_scan(dbapi_connection, dialect: str, *, batch_id: int, run_id: int, serial: str,
                seq: int, client: ClientClass, client_id: str, at: datetime,
                window: timedelta, record: bool = True,
                expected_version: int | None = None) -> tuple[LabelHistory, int]:
    """Log one scan (unless ``record`` is False: HEAD requests) and count it when a
    person looked; return the label's totals and the public version. The caller commits
    or rolls back. On PostgreSQL, given ``expected_version``, it is one statement that
    writes nothing when the version differs."""
    if dialect == "postgresql" and record and expected_version is not None:
        return _record_pg(dbapi_connection, batch_id=batch_id, run_id=run_id, serial=serial,
                          seq=seq, client=client, client_id=client_id, at=at, window=window,
                          version=expected_version)
    sql = _SQL[dialect]
    stamp = (lambda moment: _sqlite_time(moment)) if dialect == "sqlite" else (lambda m: m)
    now, cutoff = stamp(at), stamp(at - window)
    counted = new_client = False
    cursor = dbapi_connection.cursor()
    try:
        if record:
            cursor.execute(sql["insert"], (batch_id, run_id, serial, seq, now, client.value,
                                           client_id))
        if record and client in COUNTED:
            cursor.execute(sql["client"], (batch_id, seq, client_id, now, now, cutoff, cutoff))
            hits, counted_hit = cursor.fetchone()
            counted, new_client = hits == counted_hit, hits == 1
        if counted:
            cursor.execute(sql["bump"], (batch_id, seq, now, now, 1 if new_client else 0))
        else:
            cursor.execute(sql["read"], (batch_id, seq))
        row = cursor.fetchone()
        cursor.execute(sql["version"])
        version_row = cursor.fetchone()
    finally:
        cursor.close()
    checks, clients, first = (row[0], row[1], _as_utc(row[2])) if row else (0, 0, None)
    return (LabelHistory(checks, clients, first, counted),
            version_row[0] if version_row else 0)


def read_version(dbapi_connection) -> int:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_SQL["sqlite"]["version"])
        row = cursor.fetchone()
    finally:
        cursor.close()
    return row[0] if row else 0


def rebuild_label_checks(session, batch_id: int) -> None:
    """Recompute a batch's running totals from its scan log (demo data, repairs): each
    client's loads count once per window, as they would have live."""
    import sqlalchemy as sa

    rows = session.execute(sa.text(
        "SELECT serial_seq, client_hash, scanned_at FROM scans WHERE batch_id = :b "
        "AND client_class IN ('phone', 'browser') ORDER BY serial_seq, scanned_at"),
        {"b": batch_id}).all()
    session.execute(sa.text("DELETE FROM label_clients WHERE batch_id = :b"), {"b": batch_id})
    session.execute(sa.text("DELETE FROM label_checks WHERE batch_id = :b"), {"b": batch_id})
    from ...models import LabelCheck, LabelClient

    clients: dict[tuple[int, str], LabelClient] = {}
    totals: dict[int, LabelCheck] = {}
    for seq, client_id, at in rows:
        at = _as_utc(at)
        client_id = client_id or "legacy"
        one = clients.get((seq, client_id))
        total = totals.get(seq)
        if total is None:
            total = totals[seq] = LabelCheck(batch_id=batch_id, serial_seq=seq, checks=0,
                                             clients=0, first_checked_at=at,
                                             last_checked_at=at)
        if one is None:
            one = clients[(seq, client_id)] = LabelClient(
                batch_id=batch_id, serial_seq=seq, client_hash=client_id, hits=1,
                counted_hit=1, first_seen_at=at, last_counted_at=at)
            total.checks += 1
            total.clients += 1
            total.last_checked_at = at
            continue
        one.hits += 1
        if one.last_counted_at <= at - DEFAULT_WINDOW:
            one.counted_hit, one.last_counted_at = one.hits, at
            total.checks += 1
            total.last_checked_at = at
    session.add_all(list(clients.values()) + list(totals.values()))


DEFAULT_WINDOW = timedelta(minutes=30)
