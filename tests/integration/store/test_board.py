"""Leaderboards over a store: cached in memory and in the store, invalidated by an ingest."""

from __future__ import annotations

import json
from pathlib import Path

BENCH = "MTEB(eng, v1)"


def test_persisted_tables_are_reused_until_the_next_ingest(
    store, results_dir: Path, catalog
) -> None:  # type: ignore[no-untyped-def]
    from emboard.board import Board, decode_leaderboard, encode_leaderboard
    from emboard.store.ingest import ingest

    ingest(store, results_dir, catalog)
    first = Board(store, catalog).leaderboard(BENCH)
    assert first.summary.rows and first.per_task.rows
    assert decode_leaderboard(encode_leaderboard(first)) == first

    fresh = Board(store, catalog)
    again = fresh.leaderboard(BENCH)
    assert again == first
    assert not fresh._prepared  # served from the store's cache, nothing rebuilt
    assert ingest(store, results_dir, catalog).status == "unchanged"
    after_noop = Board(store, catalog)
    assert after_noop.leaderboard(BENCH) == first and not after_noop._prepared  # still valid

    # change a score of a benchmark task, ingest: the cached tables are stale and rebuilt
    model = results_dir / "BAAI__bge-base-en"
    path = next(
        p
        for p in sorted(model.rglob("*.json"))
        if '"scores"' in p.read_text()
        and json.loads(p.read_text())["task_name"]
        in {t.name for t in catalog.get_benchmark(BENCH).tasks}
    )
    data = json.loads(path.read_text())
    for entries in data["scores"].values():
        for entry in entries:
            entry["main_score"] = 0.0001
    path.write_text(json.dumps(data))
    assert ingest(store, results_dir, catalog).files_changed == 1
    rebuilt = Board(store, catalog)
    after = rebuilt.leaderboard(BENCH)
    assert rebuilt._prepared  # rebuilt from rows
    assert after != first
    task = data["task_name"]
    rows = {r["Model"]: r for r in after.per_task.to_records()}
    assert rows["BAAI/bge-base-en"][task] is None or rows["BAAI/bge-base-en"][task] < 0.01


def test_cli_ingest_warms_the_tables(tmp_path: Path, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from emboard.board import Board
    from emboard.cli.main import app
    from emboard.store.db import open_store

    db = f"sqlite:///{tmp_path / 'warm.db'}"
    result = CliRunner().invoke(app, ["ingest", str(results_dir), "--db", db, "--warm", BENCH])
    assert result.exit_code == 0, result.output
    assert f"cached the {BENCH} tables" in result.output
    store = open_store(db)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM board_cache").scalar() == 1
    board = Board(store, catalog)
    assert board.leaderboard(BENCH).summary.rows
    assert not board._prepared  # read from the cache the ingest filled
    again = CliRunner().invoke(app, ["ingest", str(results_dir), "--db", db, "--warm", BENCH])
    assert again.exit_code == 0 and "cached the" not in again.output  # nothing changed
    store.close()
