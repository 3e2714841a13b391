"""The leaderboard tables equal mteb 2.26.24's on the public results snapshot.

mteb loads the snapshot as its leaderboard rebuild does (main scores only, no model_meta.json
required, experiments matched by name, every registered model), restricted to the three
benchmarks' task files; emboard gets the same raw (not yet joined) results as rows, in load order,
and applies its own validation, revision choice and aggregation.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from emboard.leaderboard.engine import build_leaderboard
from emboard.leaderboard.training import TrainingData
from tests.unit.leaderboard.oracle_helpers import benchmark_from_mteb, compare, rows_from_mteb

pytestmark = pytest.mark.oracle

BENCHMARKS = ("MTEB(eng, v2)", "MTEB(eng, v1)", "MTEB(Multilingual, v2)")


@pytest.fixture(scope="module")
def loaded(mteb_snapshot: dict[str, Any]) -> dict[str, Any]:
    return {**mteb_snapshot, "rows": rows_from_mteb(mteb_snapshot["results"])}


@pytest.mark.parametrize("name", BENCHMARKS)
def test_tables_equal_mteb(name: str, loaded: dict[str, Any], catalog: Any) -> None:
    bench = loaded["benches"][name]
    frame = loaded["results"]._to_results_df(bench.tasks)
    summary = bench._create_summary_table(frame).df
    per_task = bench._create_per_task_table(frame)
    per_language = bench._create_per_language_table(frame)

    ours_bench = benchmark_from_mteb(bench, catalog.get_benchmark(name))
    training = TrainingData(catalog.tasks, catalog.models)
    start = time.perf_counter()
    board = build_leaderboard(
        loaded["rows"], ours_bench, catalog.tasks, catalog.models, training=training
    )
    elapsed = time.perf_counter() - start

    n, worst, problems = compare(summary.to_dicts(), board.summary, summary.columns)
    complete = sum(1 for r in board.summary.to_records() if r["Mean (Task)"] is not None)
    print(f"{name}: {n} models, {complete} complete, max diff {worst:.1e}, engine {elapsed:.2f}s")
    assert not problems, problems[:20]
    assert n == summary.height and complete == summary["Mean (Task)"].is_not_null().sum()
    assert set(board.summary.columns) == set(summary.columns)

    n_task, _, problems = compare(per_task.to_dicts(), board.per_task, per_task.columns)
    assert not problems, problems[:20]
    assert n_task == per_task.height
    mteb_order = [r["Model"] for r in per_task.to_dicts()]
    ranks = {m: r for m, r in zip(summary["Model"], summary["Rank (Borda)"], strict=True)}
    ours_ranks = [ranks.get(str(row[0])) for row in board.per_task.rows]
    mteb_ranks = [ranks.get(m) for m in mteb_order]
    assert ours_ranks == mteb_ranks  # same Borda order (ties may swap rows)

    if "No results" in per_language.columns:
        assert board.per_language is None or not board.per_language.rows
    else:
        assert board.per_language is not None
        records = per_language.to_dicts()
        for rec in records:
            rec.setdefault("_experiment_id", "")
        _, _, problems = compare(records, board.per_language, per_language.columns)
        assert not problems, problems[:20]
