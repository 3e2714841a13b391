"""Packed main scores (``store/pack.py``): what ingest writes and migration 0003 fills equals
what the score rows hold, and the leaderboard read from packs equals the one from the rows."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

BENCH = "MTEB(eng, v1)"


def _packs(store: Any) -> dict[int, tuple[str, bytes]]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT task_name, result_id, main_scores FROM result_pack")
        return {r[1]: (r[0], bytes(r[2])) for r in rows}


def _entries(columns: Any) -> list[tuple[Any, ...]]:
    return [
        (columns.results[r], columns.keys[k], None if math.isnan(s) else s)
        for r, k, s in zip(
            columns.result.tolist(), columns.key.tolist(), columns.score.tolist(), strict=True
        )
    ]


def test_packed_read_equals_the_score_rows(store, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from emboard.board import Board
    from emboard.store.ingest import ingest
    from emboard.store.queries import leaderboard_columns

    ingest(store, results_dir, catalog)
    names = [t.name for t in catalog.get_benchmark(BENCH).tasks]
    with store.engine.connect() as conn:
        packed = leaderboard_columns(conn, names)
    board = Board(store, catalog, persist=False).leaderboard(BENCH)
    assert len(packed) > 100 and board.summary.rows

    with store.engine.begin() as conn:  # no pack: each file is read from its score rows
        conn.exec_driver_sql("DELETE FROM result_pack")
    with store.engine.connect() as conn:
        unpacked = leaderboard_columns(conn, names)
    assert _entries(unpacked) == _entries(packed)
    assert Board(store, catalog, persist=False).leaderboard(BENCH) == board


def test_migration_packs_an_older_store(store_url: str, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from emboard.board import Board
    from emboard.store.db import _alembic_config, open_store, schema_version
    from emboard.store.ingest import ingest

    store = open_store(store_url)
    ingest(store, results_dir, catalog)
    written = _packs(store)
    board = Board(store, catalog, persist=False).leaderboard(BENCH)
    command.downgrade(_alembic_config(store.engine), "0002")
    assert schema_version(store.engine) == "0002"
    store.close()

    store = open_store(store_url)  # migrated in place: every file packed from its rows
    try:
        assert schema_version(store.engine) == "0003"
        assert _packs(store) == written
        assert Board(store, catalog, persist=False).leaderboard(BENCH) == board
    finally:
        store.close()
