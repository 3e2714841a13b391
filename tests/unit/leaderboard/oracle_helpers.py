"""Shared by the leaderboard tests: feed mteb and emboard the same results, compare tables."""

from __future__ import annotations

import math
from typing import Any

from emboard.leaderboard.rows import ResultRow
from emboard.leaderboard.tables import Table
from emboard.tasks.metadata import BenchmarkMetadata, BenchmarkTask


def benchmark_from_mteb(bench: Any, catalog_bench: BenchmarkMetadata) -> BenchmarkMetadata:
    """The catalog's benchmark with mteb's live task splits/subsets (the same input spec)."""
    tasks = [
        BenchmarkTask(
            name=t.metadata.name, eval_splits=list(t.eval_splits), hf_subsets=list(t.hf_subsets)
        )
        for t in bench.tasks
    ]
    return catalog_bench.model_copy(update={"tasks": tasks})


def variant_of(model_result: Any) -> str:
    """mteb's ``_experiment_id`` of a model result (``_build_pre_agg_df`` + ``_ensure_experiment_id``)."""
    from mteb.models.model_meta import _has_meaningful_value, _serialize_experiment_kwargs_to_name

    meta = model_result.model_meta
    if meta is None or not meta.experiment_kwargs:
        return ""
    kwargs = {k: v for k, v in meta.experiment_kwargs.items() if _has_meaningful_value(v)}
    if not kwargs:
        return ""
    return _serialize_experiment_kwargs_to_name(kwargs) or ""


def rows_from_mteb(results: Any) -> list[ResultRow]:
    """One row per score entry of mteb's loaded (not yet joined) results, in load order; a
    result with no score entry gives one placeholder row (split ``""``, see ``ResultRow``)."""
    rows = []
    for mr in results.model_results:
        variant = variant_of(mr)
        for tr in mr.task_results:
            if not any(tr.scores.values()):  # a result without scores still competes
                rows.append(
                    ResultRow(
                        model_name=mr.model_name,
                        revision=mr.model_revision,
                        task_name=tr.task_name,
                        mteb_version=tr.mteb_version,
                        split="",
                        subset="",
                        languages=(),
                        score=None,
                        experiment=mr.experiment_name,
                        variant=variant,
                    )
                )
            for split, items in tr.scores.items():
                for it in items:
                    score = it.get("main_score")
                    rows.append(
                        ResultRow(
                            model_name=mr.model_name,
                            revision=mr.model_revision,
                            task_name=tr.task_name,
                            mteb_version=tr.mteb_version,
                            split=split,
                            subset=it.get("hf_subset", "default"),
                            languages=tuple(it.get("languages", [])),
                            score=None if score is None else float(score),
                            experiment=mr.experiment_name,
                            variant=variant,
                        )
                    )
    return rows


def _is_null(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def compare(
    mteb_records: list[dict[str, Any]], ours: Table, columns: list[str]
) -> tuple[int, float, list[str]]:
    """(rows compared, max abs difference, problems) keyed by model (and experiment id)."""
    theirs = {(str(r["Model"]), str(r.get("_experiment_id") or "")): r for r in mteb_records}
    mine = ours.by_model()
    problems = [f"only in mteb: {k}" for k in theirs.keys() - mine.keys()]
    problems += [f"only in emboard: {k}" for k in mine.keys() - theirs.keys()]
    worst = 0.0
    for key in theirs.keys() & mine.keys():
        for col in columns:
            a, b = theirs[key].get(col), mine[key].get(col)
            if _is_null(a) or _is_null(b):
                if _is_null(a) != _is_null(b):
                    problems.append(f"{key} {col}: mteb {a} emboard {b}")
            elif isinstance(a, str) or isinstance(b, str):
                if a != b:
                    problems.append(f"{key} {col}: mteb {a!r} emboard {b!r}")
            else:
                diff = abs(float(a) - float(b))
                worst = max(worst, diff)
                if diff > 1e-9:
                    problems.append(f"{key} {col}: mteb {a} emboard {b}")
    return len(theirs.keys() & mine.keys()), worst, problems
