"""Work a batch of an ingest defers to the ingest's end: foreign-key checks (PostgreSQL).

PostgreSQL checks a foreign key with a trigger query per inserted row: on the snapshot's 1.3 M
score rows that was about a third of the server's work (~6 s of CPU). A large batch instead
drops the foreign keys of the tables it bulk-loads and adds them back ``NOT VALID`` in the same
transaction, so no other transaction ever sees them missing and later writes are checked as
before; :func:`validate_foreign_keys` then checks every row once, with one join per constraint,
at the end of the ingest. A constraint an interrupted ingest left ``NOT VALID`` is validated by
the next ingest. Batches also commit without waiting for their WAL flush: still atomic, and the
ingest's last commit, which waits, makes every earlier one durable too.

SQLite's foreign-key checks are cheap (an in-process index probe), and its WAL checkpoints stay
automatic: one after each batch overlaps with the reading process's work, where a single one at
the end of the ingest (tried) copied the whole store and synced it with nothing to overlap.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from emboard.errors import StoreError

BULK_TABLE = "result_file"
"""The foreign keys deferred: ``result_file``'s own and those of every table that refers to it
(``score`` and any per-file table), i.e. those of the tables a batch bulk-loads."""
BULK_ROWS = 20_000
"""Score rows from which a batch defers its foreign-key checks."""

ForeignKey = tuple[str, str, str]
"""(table, constraint name, definition as ``pg_get_constraintdef`` writes it)."""

_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype = 'f' AND {valid}
AND (c.conrelid = CAST(%s AS regclass) OR c.confrelid = CAST(%s AS regclass))
ORDER BY 1, 2
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def begin_batch(conn: Connection, score_rows: int) -> list[ForeignKey]:
    """Set up a batch's transaction; returns the foreign keys it suspended (to restore).

    A batch of at least :data:`BULK_ROWS` score rows suspends the foreign keys (PostgreSQL).
    """
    if conn.dialect.name != "postgresql":
        return []
    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
    return suspend_foreign_keys(conn) if score_rows >= BULK_ROWS else []


def suspend_foreign_keys(conn: Connection) -> list[ForeignKey]:
    """Drop the bulk tables' foreign keys inside the current transaction; returns them."""
    rows = conn.exec_driver_sql(_FOREIGN_KEYS.format(valid="TRUE"), (BULK_TABLE, BULK_TABLE))
    keys = [(str(table), str(name), str(definition)) for table, name, definition in rows]
    for table, name, _ in keys:
        conn.exec_driver_sql(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
    return keys


def restore_foreign_keys(conn: Connection, keys: list[ForeignKey]) -> None:
    """Add the suspended foreign keys back, ``NOT VALID`` (checked for later writes only)."""
    for table, name, definition in keys:
        clause = definition.removesuffix(" NOT VALID")
        conn.exec_driver_sql(
            f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {clause} NOT VALID"
        )


def validate_foreign_keys(conn: Connection) -> int:
    """Validate every ``NOT VALID`` foreign key of the bulk tables; returns how many there were.

    A row that breaks one (which the writer never produces) raises :class:`StoreError`.
    """
    if conn.dialect.name != "postgresql":
        return 0
    pending = conn.exec_driver_sql(
        _FOREIGN_KEYS.format(valid="NOT c.convalidated"), (BULK_TABLE, BULK_TABLE)
    ).all()
    for table, name, _ in pending:
        try:
            conn.exec_driver_sql(f"ALTER TABLE {_quote(table)} VALIDATE CONSTRAINT {_quote(name)}")
        except Exception as exc:
            raise StoreError(
                f"The store's {table} table has rows that break {name}: {exc}"
            ) from exc
    return len(pending)
