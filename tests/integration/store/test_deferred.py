"""Foreign keys deferred by large batches (PostgreSQL): restored in the batch, validated at the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import pg_database

_KEYS = (
    "SELECT conrelid::regclass::text, conname, convalidated FROM pg_constraint "
    "WHERE contype = 'f' ORDER BY 1, 2"
)


@pytest.fixture
def pg_store() -> Iterator:  # type: ignore[type-arg]
    from emboard.store.db import open_store

    for url in pg_database():
        opened = open_store(url)
        yield opened
        opened.close()


def test_large_batches_defer_checks_and_the_ingest_validates(
    store, results_dir: Path, catalog, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from emboard.store import deferred
    from emboard.store.ingest import ingest

    monkeypatch.setattr(deferred, "BULK_ROWS", 1)  # every batch takes the bulk path
    with store.engine.connect() as conn:
        before = conn.exec_driver_sql(_KEYS).all() if store.dialect == "postgresql" else []
    report = ingest(store, results_dir.parent, catalog)
    assert report.status == "done" and report.values_added > 0
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM score").scalar() > 0
        if store.dialect == "postgresql":
            after = conn.exec_driver_sql(_KEYS).all()
            assert after == before  # the same constraints, all validated again
            assert all(valid for _, _, valid in after)
            assert {(t, n) for t, n, _ in after} >= {
                ("score", "score_result_id_fkey"),
                ("result_file", "result_file_revision_id_fkey"),
            }


def test_a_row_that_breaks_a_deferred_key_fails_validation(pg_store) -> None:  # type: ignore[no-untyped-def]
    from emboard.errors import StoreError
    from emboard.store.deferred import (
        restore_foreign_keys,
        suspend_foreign_keys,
        validate_foreign_keys,
    )

    with pg_store.engine.begin() as conn:
        keys = suspend_foreign_keys(conn)
        assert ("score", "score_result_id_fkey") in {(t, n) for t, n, _ in keys}
        conn.exec_driver_sql(
            "INSERT INTO score (id, result_id, split, subset, languages, metrics) "
            "VALUES (1, 999, 'test', 'default', '[]', '{}')"
        )
        restore_foreign_keys(conn, keys)
    with pg_store.engine.connect() as conn:
        states = {(t, n): v for t, n, v in conn.exec_driver_sql(_KEYS)}
    assert states[("score", "score_result_id_fkey")] is False
    with pytest.raises(StoreError, match="score_result_id_fkey"), pg_store.engine.begin() as conn:
        validate_foreign_keys(conn)
    with pg_store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM score")
        assert validate_foreign_keys(conn) == len(keys)
    with pg_store.engine.connect() as conn:
        assert all(valid for _, _, valid in conn.exec_driver_sql(_KEYS))
    with pytest.raises(Exception, match="score_result_id_fkey"), pg_store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO score (id, result_id, split, subset, languages, metrics) "
            "VALUES (2, 999, 'test', 'default', '[]', '{}')"
        )
