"""Export MTEB's registry (tasks, benchmarks, models) from the installed ``mteb`` package.

Produces the catalog format emboard reads (the format of ``mteb-catalog.json.gz``). Only this
module imports mteb, and only when no catalog file is configured.
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path
from typing import Any

from emboard.errors import TaskDefinitionError

logger = logging.getLogger(__name__)

EVALUATION_PARAMS = (
    "samples_per_label",
    "n_experiments",
    "is_cross_validation",
    "train_split",
    "label_column_name",
    "input_column_name",
    "abstask_prompt",
    "hf_subsets",
    "ignore_identical_ids",
    "skip_first_result",
    "max_fraction_of_documents_to_embed",
    "max_document_to_embed",
    "max_documents_per_cluster",
    "n_clusters",
    "k_mean_batch_size",
    "max_depth",
    "min_score",
    "max_score",
    "parallel_subsets",
    "fast_loading",
)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _task_record(task: Any) -> dict[str, Any]:
    meta = task.metadata
    parts = getattr(meta, "tasks", None)  # aggregate tasks hold task objects
    record: dict[str, Any] = _jsonable(meta.model_dump(mode="json", exclude={"tasks"}))
    record.pop("descriptive_stats", None)
    if parts:
        record["aggregated_tasks"] = [t.metadata.name for t in parts]
    record["abstask"] = [c.__name__ for c in type(task).__mro__ if c.__name__.startswith("AbsTask")]
    record["class"] = type(task).__name__
    record["hf_subsets"] = list(task.hf_subsets)
    params = {k: getattr(task, k) for k in EVALUATION_PARAMS if hasattr(task, k)}
    record["evaluation_params"] = _jsonable(params)
    return record


def _benchmark_record(bench: Any) -> dict[str, Any]:
    return {
        "name": bench.name,
        "aliases": list(getattr(bench, "aliases", []) or []),
        "display_name": getattr(bench, "display_name", None),
        "description": bench.description,
        "reference": bench.reference,
        "citation": bench.citation,
        "language_view": _jsonable(getattr(bench, "language_view", [])),
        "superseded_by": getattr(bench, "superseded_by", None),
        "show_zero_shot": bool(getattr(bench, "show_zero_shot", True)),
        "class": type(bench).__name__,
        "tasks": [
            {
                "name": t.metadata.name,
                "eval_splits": list(t.eval_splits),
                "hf_subsets": list(t.hf_subsets),
            }
            for t in bench.tasks
        ],
    }


def build_catalog() -> dict[str, Any]:
    """The catalog dict from the installed mteb registry."""
    try:
        import mteb
    except ImportError:
        raise TaskDefinitionError(
            "No MTEB catalog: set EMBOARD_CATALOG to a catalog file (mteb-catalog.json.gz "
            "format) or install mteb so emboard can export one"
        ) from None
    tasks = mteb.get_tasks(exclude_superseded=False, exclude_aggregate=False)
    models = [_jsonable(m.to_dict()) for m in mteb.get_model_metas()]
    for m in models:
        m.pop("loader", None)
        m.pop("loader_kwargs", None)
        m.pop("is_cross_encoder", None)
    return {
        "source": f"mteb {mteb.__version__}",
        "tasks": [_task_record(t) for t in tasks],
        "benchmarks": [_benchmark_record(b) for b in mteb.get_benchmarks()],
        "models": models,
    }


def export_catalog(path: Path) -> Path:
    """Write the catalog exported from mteb to ``path`` (gzipped JSON)."""
    catalog = build_catalog()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        json.dump(catalog, fh)
    tmp.replace(path)
    logger.info("Exported %d tasks from %s to %s", len(catalog["tasks"]), catalog["source"], path)
    return path
