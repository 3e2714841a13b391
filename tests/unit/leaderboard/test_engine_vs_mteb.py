"""The engine against mteb's own functions on small synthetic results (ties, gaps, revisions)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from emboard.leaderboard.engine import build_leaderboard, prepare_benchmark
from emboard.leaderboard.filters import LeaderboardFilter
from emboard.leaderboard.training import TrainingData
from emboard.tasks.metadata import BenchmarkMetadata
from tests.unit.leaderboard.oracle_helpers import benchmark_from_mteb, compare, rows_from_mteb

pytestmark = pytest.mark.oracle

TASKS = {  # name → (eval splits, subsets)
    "STS12": (["test"], ["default"]),
    "STS17": (["test"], ["en-en", "en-de", "es-es"]),
    "AmazonCounterfactualClassification": (["validation", "test"], ["en", "de"]),
    "Banking77Classification": (["test"], ["default"]),
}


def _scores(task: Any, rng: random.Random, drop: float) -> dict[str, list[dict[str, Any]]]:
    # dyadic scores: sums are exact in any order, so ties are real ties on both sides
    langs = task.metadata.hf_subsets_to_langscripts
    out: dict[str, list[dict[str, Any]]] = {}
    for split in [*task.eval_splits, "train"]:
        items = [
            {
                "hf_subset": s,
                "main_score": rng.choice([0.5, 0.625, 0.75, round(rng.random() * 1024) / 1024]),
                "languages": langs.get(s, []),
            }
            for s in task.hf_subsets
            if rng.random() >= drop
        ]
        if items:
            out[split] = items
    return out


def _results(catalog: Any, seed: int) -> tuple[Any, Any]:
    import mteb
    from mteb.results import BenchmarkResults, ModelResult, TaskResult

    rng = random.Random(seed)
    tasks = [mteb.get_task(n, eval_splits=s, hf_subsets=h) for n, (s, h) in TASKS.items()]
    bench = mteb.Benchmark(name="tiny", tasks=tasks)
    names = sorted(m.name for m in catalog.models.values() if m.revision)[:40:3]
    names.append("someone/unregistered-model")
    model_results = []
    for name in names:
        main = catalog.models[name].revision if name in catalog.models else None
        for revision, version in [
            (main, "1.12.0"),
            ("external", None),
            ("abc123", "2.1.0"),
            ("def456", "2.1.0"),
        ]:
            if revision is None or rng.random() < 0.4:
                continue
            results = [
                TaskResult.model_construct(
                    dataset_revision="x",
                    task_name=t.metadata.name,
                    mteb_version=version,
                    scores=_scores(t, rng, drop=0.15),
                    evaluation_time=None,
                    kg_co2_emissions=None,
                )
                for t in tasks
                if rng.random() > 0.2
            ]
            model_results.append(
                ModelResult.model_construct(
                    model_name=name,
                    model_revision=revision,
                    task_results=results,
                    experiment_name=None,
                    model_meta=None,
                )
            )
    return bench, BenchmarkResults.model_construct(model_results=model_results)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_synthetic_tables_equal_mteb(seed: int, catalog: Any) -> None:
    bench, results = _results(catalog, seed)
    frame = results._to_results_df(bench.tasks)
    summary = bench._create_summary_table(frame).df
    per_task = bench._create_per_task_table(frame)
    ours_bench = benchmark_from_mteb(bench, BenchmarkMetadata(name="tiny", tasks=[]))
    board = build_leaderboard(rows_from_mteb(results), ours_bench, catalog.tasks, catalog.models)
    n, _, problems = compare(summary.to_dicts(), board.summary, summary.columns)
    assert not problems, problems[:10]
    assert n == summary.height > 0
    n, _, problems = compare(per_task.to_dicts(), board.per_task, per_task.columns)
    assert not problems, problems[:10]
    assert n == per_task.height


def test_filters_equal_mteb_app_selection(catalog: Any) -> None:
    """A language + size + task-type selection: the app's row mask, then mteb's tables."""
    import polars as pl

    bench, results = _results(catalog, 11)
    frame = results._to_results_df(bench.tasks)
    f = LeaderboardFilter(languages=("eng",), task_types=("STS",), max_parameters=500_000_000)
    training = TrainingData(catalog.tasks, catalog.models)
    keep = {
        m.name
        for m in catalog.models.values()
        if m.n_parameters is not None and m.n_parameters <= 500_000_000
    }
    sts = [t for t in TASKS if catalog.tasks[t].type == "STS"]
    eng = (
        pl.col("language")
        .list.eval(pl.element().str.split("-").list.first().is_in(["eng"]))
        .list.any()
    )
    scored = frame.filter(eng & pl.col("task_name").is_in(sts) & pl.col("model_name").is_in(keep))
    mask = pl.col("model_name").is_in(scored["model_name"].unique()) & pl.col("task_name").is_in(
        scored["task_name"].unique()
    )
    expected = bench._create_summary_table(frame.filter(mask & eng)).df
    ours_bench = benchmark_from_mteb(bench, BenchmarkMetadata(name="tiny", tasks=[]))
    board = build_leaderboard(
        rows_from_mteb(results), ours_bench, catalog.tasks, catalog.models, f, training=training
    )
    n, _, problems = compare(expected.to_dicts(), board.summary, expected.columns)
    assert not problems, problems[:10]
    assert n == expected.height > 0


def test_prepared_benchmark_serves_every_filter(catalog: Any) -> None:
    """One selection, many filters: each equals a build from the rows, the whole one mteb's."""
    bench, results = _results(catalog, 7)
    ours_bench = benchmark_from_mteb(bench, BenchmarkMetadata(name="tiny", tasks=[]))
    rows = rows_from_mteb(results)
    training = TrainingData(catalog.tasks, catalog.models)
    prepared = prepare_benchmark(rows, ours_bench, catalog.tasks, catalog.models, training=training)
    expected = bench._create_summary_table(results._to_results_df(bench.tasks)).df
    n, _, problems = compare(expected.to_dicts(), prepared.leaderboard().summary, expected.columns)
    assert not problems, problems[:10]
    assert n == expected.height > 0
    selections = [
        LeaderboardFilter(task_types=("Classification",)),
        LeaderboardFilter(languages=("deu",)),
        LeaderboardFilter(max_parameters=500_000_000, zero_shot="remove_unknown"),
        LeaderboardFilter(tasks=("STS12", "STS17"), name_contains="bge"),
    ]
    for f in selections:
        board = prepared.leaderboard(f)
        again = build_leaderboard(rows, ours_bench, catalog.tasks, catalog.models, f)
        assert board.summary.rows == again.summary.rows, f
        assert board.per_task.rows == again.per_task.rows, f
        assert board.summary.rows != prepared.leaderboard().summary.rows, f
