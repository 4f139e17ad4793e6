"""Record scans and answer "how often was this label checked, and since when".

Every path that records a scan (the edge, the Flask fast path and the full resolver)
goes through :func:`record_and_count`, which runs on a DB-API connection with one SQL
text per database, so the hot path pays no ORM or statement-building cost (except the
edge on PostgreSQL, which does the same in one prepared statement,
:func:`record_one_trip_pg`):

1. insert the scan row (people, bots and API calls alike: the log is complete);
2. for people, bump the label's running total with an upsert that returns it;
   for others, read the total;
3. read the public version (see ``cache``) so the caller can tell whether its cached
   view of the product is still current.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app

from ..extensions import db
from ..models import ClientClass
from .clients import COUNTED

#: Above this many checks the page warns that the label may have been copied.
DEFAULT_WARNING_THRESHOLD = 5


@dataclass(frozen=True)
class LabelHistory:
    checks: int
    first_checked_at: datetime | None

    @property
    def first_check(self) -> bool:
        return self.checks == 1

    def suspicious(self, threshold: int | None = None) -> bool:
        if threshold is None:
            threshold = current_app.config.get("SCAN_WARNING_THRESHOLD",
                                               DEFAULT_WARNING_THRESHOLD)
        return self.checks > threshold


_SQL = {
    "sqlite": {
        "insert": "INSERT INTO scans (batch_id, label_run_id, serial, serial_seq, scanned_at, "
                  "client_class) VALUES (?, ?, ?, ?, ?, ?)",
        "bump": "INSERT INTO label_checks (batch_id, serial_seq, checks, first_checked_at, "
                "last_checked_at) VALUES (?, ?, 1, ?, ?) ON CONFLICT (batch_id, serial_seq) "
                "DO UPDATE SET checks = checks + 1, last_checked_at = excluded.last_checked_at "
                "RETURNING checks, first_checked_at",
        "read": "SELECT checks, first_checked_at FROM label_checks "
                "WHERE batch_id = ? AND serial_seq = ?",
        "version": "SELECT public_version FROM cache_state WHERE id = 1",
    },
    "postgresql": {
        "insert": "INSERT INTO scans (batch_id, label_run_id, serial, serial_seq, scanned_at, "
                  "client_class) VALUES (%s, %s, %s, %s, %s, %s)",
        "bump": "INSERT INTO label_checks (batch_id, serial_seq, checks, first_checked_at, "
                "last_checked_at) VALUES (%s, %s, 1, %s, %s) "
                "ON CONFLICT (batch_id, serial_seq) DO UPDATE SET "
                "checks = label_checks.checks + 1, last_checked_at = excluded.last_checked_at "
                "RETURNING checks, first_checked_at",
        "read": "SELECT checks, first_checked_at FROM label_checks "
                "WHERE batch_id = %s AND serial_seq = %s",
        "version": "SELECT public_version FROM cache_state WHERE id = 1",
    },
}


def _sqlite_time(moment: datetime) -> str:
    """The text SQLAlchemy stores for a UTC datetime on SQLite."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _as_utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def record_and_count(dbapi_connection, dialect: str, *, batch_id: int, run_id: int,
                     serial: str, seq: int, client: ClientClass, at: datetime,
                     record: bool = True) -> tuple[LabelHistory, int]:
    """Record one scan (unless ``record`` is False, for HEAD) and return the label's
    history with the public version. The caller commits or rolls back."""
    sql = _SQL[dialect]
    when = _sqlite_time(at) if dialect == "sqlite" else at
    cursor = dbapi_connection.cursor()
    try:
        if record:
            cursor.execute(sql["insert"], (batch_id, run_id, serial, seq, when, client.value))
        if record and client in COUNTED:
            cursor.execute(sql["bump"], (batch_id, seq, when, when))
        else:
            cursor.execute(sql["read"], (batch_id, seq))
        row = cursor.fetchone()
        cursor.execute(sql["version"])
        version_row = cursor.fetchone()
    finally:
        cursor.close()
    checks, first = (row[0], _as_utc(row[1])) if row else (0, None)
    return LabelHistory(checks, first), (version_row[0] if version_row else 0)


def session_record(batch_id: int, run_id: int, serial: str, seq: int, client: ClientClass,
                   at: datetime, record: bool = True) -> tuple[LabelHistory, int]:
    """:func:`record_and_count` inside the current SQLAlchemy session's transaction."""
    connection = db.session.connection()
    return record_and_count(connection.connection.dbapi_connection, connection.dialect.name,
                            batch_id=batch_id, run_id=run_id, serial=serial, seq=seq,
                            client=client, at=at, record=record)


def rebuild_label_checks(batch_id: int) -> None:
    """Recompute a batch's running totals from its scan rows (demo data, repairs)."""
    import sqlalchemy as sa

    db.session.execute(sa.text("DELETE FROM label_checks WHERE batch_id = :b"), {"b": batch_id})
    db.session.execute(sa.text(
        "INSERT INTO label_checks (batch_id, serial_seq, checks, first_checked_at, "
        "last_checked_at) SELECT batch_id, serial_seq, count(*), min(scanned_at), "
        "max(scanned_at) FROM scans WHERE batch_id = :b "
        "AND client_class IN ('phone', 'browser') GROUP BY batch_id, serial_seq"),
        {"b": batch_id})


# PostgreSQL, the edge only: the whole scan in ONE prepared statement on an autocommit
# connection (one round trip instead of five). The inserts happen only when the public
# version is still the one the caller's caches were built at; otherwise nothing is
# written and the caller lets Flask answer. The first check time comes back as UTC text,
# whatever the session's TimeZone and DateStyle.
PG_EDGE_STATEMENT = b"registry_edge_scan"
_PG_ONE_TRIP = """
WITH v AS (SELECT public_version AS version FROM cache_state WHERE id = 1),
s AS (
    INSERT INTO scans (batch_id, label_run_id, serial, serial_seq, scanned_at, client_class)
    SELECT $1::integer, $2::integer, $3::varchar, $4::integer, $5::timestamptz, $6::varchar
    FROM v WHERE v.version = $7::bigint
),
c AS (
    INSERT INTO label_checks (batch_id, serial_seq, checks, first_checked_at, last_checked_at)
    SELECT $1::integer, $4::integer, 1, $5::timestamptz, $5::timestamptz
    FROM v WHERE v.version = $7::bigint AND $8::boolean
    ON CONFLICT (batch_id, serial_seq) DO UPDATE
    SET checks = label_checks.checks + 1, last_checked_at = excluded.last_checked_at
    RETURNING checks, first_checked_at
)
SELECT (SELECT version FROM v),
       COALESCE((SELECT checks FROM c),
                (SELECT checks FROM label_checks
                 WHERE batch_id = $1::integer AND serial_seq = $4::integer)),
       to_char(COALESCE((SELECT first_checked_at FROM c),
                        (SELECT first_checked_at FROM label_checks
                         WHERE batch_id = $1::integer AND serial_seq = $4::integer))
               AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
"""


class EdgeStatementError(RuntimeError):
    """The database refused the edge's statement (the caller drops the connection)."""


def prepare_one_trip_pg(pgconn) -> None:
    """Prepare the edge's statement on a libpq connection (``psycopg.pq.PGconn``)."""
    from psycopg import pq

    result = pgconn.prepare(PG_EDGE_STATEMENT, _PG_ONE_TRIP.encode())
    if (result.status != pq.ExecStatus.COMMAND_OK
            and result.error_field(pq.DiagnosticField.SQLSTATE) != b"42P05"):  # already there
        raise EdgeStatementError(pgconn.get_error_message().decode(errors="replace"))


def release_one_trip_pg(pgconn) -> None:
    pgconn.exec_(b"DEALLOCATE " + PG_EDGE_STATEMENT)


def record_one_trip_pg(pgconn, *, version: int, batch_id: int, run_id: int, serial: str,
                       seq: int, client: ClientClass, at: datetime) -> LabelHistory | None:
    """Record a scan through libpq itself, on an autocommit connection where
    :func:`prepare_one_trip_pg` ran. psycopg's cursor would convert and adapt the same
    eight parameters in Python for every scan; here they go as text, straight to
    ``PQexecPrepared`` (which releases the GIL while it waits). None when the public
    version moved (nothing was written)."""
    from psycopg import pq

    result = pgconn.exec_prepared(PG_EDGE_STATEMENT, [
        b"%d" % batch_id, b"%d" % run_id, serial.encode("ascii"), b"%d" % seq,
        at.astimezone(timezone.utc).isoformat().encode("ascii"), client.value.encode("ascii"),
        b"%d" % version, b"t" if client in COUNTED else b"f"])
    if result.status != pq.ExecStatus.TUPLES_OK or result.ntuples != 1:
        raise EdgeStatementError(pgconn.get_error_message().decode(errors="replace"))
    current, checks, first = (result.get_value(0, i) for i in range(3))
    if int(current or 0) != version:
        return None
    if checks is None:
        return LabelHistory(0, None)
    return LabelHistory(int(checks),
                        datetime.fromisoformat(first.decode()).replace(tzinfo=timezone.utc))
