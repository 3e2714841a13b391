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


def _filters(n: int):  # type: ignore[no-untyped-def]
    from emboard.leaderboard.filter_args import parse_filters

    return parse_filters([f"max_params={1000 + n}M"])


def test_filtered_tables_are_bounded_and_not_persisted(store, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from emboard.board import Board, table_cells
    from emboard.store.ingest import ingest

    ingest(store, results_dir, catalog)
    board = Board(store, catalog, max_tables=3)
    default = board.leaderboard(BENCH)
    tables = [board.leaderboard(BENCH, _filters(n)) for n in range(6)]
    assert board.cached_tables() == 1 + 3  # the default table and the 3 most recent others
    assert board.leaderboard(BENCH) is default
    assert board.leaderboard(BENCH, _filters(5)) is tables[5]  # kept: recent
    assert board.leaderboard(BENCH, _filters(3)) is tables[3]
    assert board.leaderboard(BENCH, _filters(0)) == tables[0]  # rebuilt, equal
    assert board.leaderboard(BENCH, _filters(0)) is not tables[0]
    assert board.leaderboard(BENCH, _filters(5)) is tables[5]  # used after 4: still kept
    assert board.leaderboard(BENCH, _filters(4)) is not tables[4]  # evicted by 0
    assert board.cached_tables() == 1 + 3
    with store.engine.connect() as conn:  # only the default table is in the store
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM board_cache").scalar() == 1

    small = Board(store, catalog, max_cells=table_cells(tables[1]) + 1)
    small.leaderboard(BENCH, _filters(1))
    small.leaderboard(BENCH, _filters(2))
    assert small.cached_tables() == 1  # the cells bound keeps one of them
    assert small._cells <= small.max_cells
    tiny = Board(store, catalog, max_cells=1)
    tiny.leaderboard(BENCH, _filters(1))
    assert tiny.cached_tables() == 0


def test_prepare_loads_the_rows_once(store, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from unittest import mock

    from emboard.board import Board
    from emboard.store import queries
    from emboard.store.ingest import ingest

    ingest(store, results_dir, catalog)
    board = Board(store, catalog, persist=False)
    board.prepare(BENCH)
    assert set(board._prepared) == {(BENCH, None)}
    assert board.cached_tables() == 1  # the unfiltered tables, aggregated by prepare
    fresh = Board(store, catalog, persist=False)
    with mock.patch.object(queries, "leaderboard_columns", side_effect=AssertionError):
        filtered = board.leaderboard(BENCH, _filters(1))  # only aggregates
        board.prepare(BENCH)  # already prepared: nothing read
    assert filtered == fresh.leaderboard(BENCH, _filters(1))
    assert board.leaderboard(BENCH) == fresh.leaderboard(BENCH)
    assert len(board._prepared) == 1 and board.cached_tables() == 2


def test_other_metrics_long_tables_are_bounded(store, results_dir: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    from emboard.api.queries import metric_names
    from emboard.board import Board
    from emboard.store.ingest import ingest

    ingest(store, results_dir, catalog)
    names = [t.name for t in catalog.get_benchmark(BENCH).tasks]
    with store.engine.connect() as conn:
        found = metric_names(conn, names)
    metrics = sorted({m for ms in found.values() for m in ms} - {"main_score"})[:3]
    assert len(metrics) == 3
    board = Board(store, catalog, persist=False, max_prepared=2)
    board.prepare(BENCH)
    for metric in metrics:
        board.prepare(BENCH, metric)
    assert set(board._prepared) == {(BENCH, None), (BENCH, metrics[1]), (BENCH, metrics[2])}
