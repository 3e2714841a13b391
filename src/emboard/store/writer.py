"""Bulk writes on the hot ingest path, per database: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples in column order; JSON columns arrive already serialised (text).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

Row = tuple[Any, ...]


def bulk_insert(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Insert ``rows`` into ``table`` inside the connection's current transaction."""
    if not rows:
        return
    cols = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(rows))


def next_id(conn: Connection, table: str) -> int:
    """The first free primary key of ``table`` (ids are given out by the ingest that holds the lock)."""
    value = conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar()
    return int(value or 0) + 1


def take_write_lock(conn: Connection) -> None:
    """Serialise writers: an advisory lock on PostgreSQL; SQLite takes its lock on first write."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7351001)")
    else:
        conn.exec_driver_sql("UPDATE source SET priority = priority WHERE id = -1")


def db_now(conn: Connection) -> datetime | str:
    """The current UTC time as a bulk-insert value (SQLite stores SQLAlchemy's text format)."""
    now = datetime.now(UTC)
    if conn.dialect.name == "postgresql":
        return now
    return now.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
