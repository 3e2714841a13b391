"""Store reads the API needs beyond ``emboard.store.queries``: metric names, counts, a model row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.engine import Connection

METRIC_SAMPLE = 25
"""Score rows read per task to learn its metric names (files of one task share their keys)."""

_METRICS_SQL = """
SELECT s.metrics FROM score s JOIN result_file rf ON rf.id = s.result_id
WHERE rf.task_name = :task AND rf.removed_ingest_id IS NULL
ORDER BY s.id DESC LIMIT :n
"""


def _as_dict(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if not raw:
        return {}
    loaded = orjson.loads(raw)
    return loaded if isinstance(loaded, dict) else {}


def metric_names(conn: Connection, task_names: Iterable[str]) -> dict[str, list[str]]:
    """Task → the numeric metrics its stored scores carry (sorted), for tasks with results."""
    out: dict[str, list[str]] = {}
    sql = text(_METRICS_SQL)
    for task in sorted(set(task_names)):
        keys: set[str] = set()
        for (raw,) in conn.execute(sql, {"task": task, "n": METRIC_SAMPLE}):
            keys.update(k for k, v in _as_dict(raw).items() if isinstance(v, int | float))
        if keys:
            out[task] = sorted(keys)
    return out


def task_model_count(conn: Connection, task: str) -> int:
    """How many models have a stored result of ``task``."""
    sql = text(
        "SELECT COUNT(DISTINCT r.model_id) FROM result_file rf "
        "JOIN revision r ON r.id = rf.revision_id "
        "WHERE rf.task_name = :task AND rf.removed_ingest_id IS NULL"
    )
    return int(conn.execute(sql, {"task": task}).scalar() or 0)


@dataclass(frozen=True, slots=True)
class ModelRow:
    """A stored model: its metadata as stored and where the metadata came from."""

    name: str
    registered: bool
    meta: dict[str, Any]
    meta_source: str | None


def model_row(conn: Connection, name: str) -> ModelRow | None:
    """The stored model called ``name`` (None when there is none)."""
    row = conn.execute(
        text("SELECT name, registered, meta, meta_source FROM model WHERE name = :n"), {"n": name}
    ).first()
    if row is None:
        return None
    return ModelRow(str(row[0]), bool(row[1]), _as_dict(row[2]), row[3])


def model_names(conn: Connection) -> list[str]:
    """Every stored model name."""
    return [str(r[0]) for r in conn.exec_driver_sql("SELECT name FROM model")]


_TASK_ENTRIES_SQL = """
SELECT m.name, r.experiment, rf.id, rf.ingest_id, s.split, s.subset, s.main_score
FROM score s JOIN result_file rf ON rf.id = s.result_id
JOIN revision r ON r.id = rf.revision_id JOIN model m ON m.id = r.model_id
WHERE rf.task_name = :task AND rf.removed_ingest_id IS NULL
"""


@dataclass(frozen=True, slots=True)
class StoredTaskScore:
    """A model's score of one task from one stored result file."""

    model: str
    experiment: str
    score: float


def stored_task_scores(
    conn: Connection, task: str, splits: Iterable[str], subsets: Iterable[str]
) -> list[StoredTaskScore]:
    """Each (model, experiment)'s mean main score over the task's evaluation splits and subsets.

    A model with several result files of the task (revisions) is scored by the file covering
    the most (split, subset) entries, the most recently ingested on a tie.
    """
    wanted_splits, wanted_subsets = set(splits), set(subsets)
    files: dict[int, tuple[str, str, int, list[float]]] = {}
    for name, experiment, file_id, ingest_id, split, subset, value in conn.execute(
        text(_TASK_ENTRIES_SQL), {"task": task}
    ):
        if split not in wanted_splits or (wanted_subsets and subset not in wanted_subsets):
            continue
        entry = files.setdefault(file_id, (str(name), str(experiment or ""), int(ingest_id), []))
        if value is not None:
            entry[3].append(float(value))
    best: dict[tuple[str, str], tuple[int, int, int, float]] = {}
    for file_id, (name, experiment, ingest_id, values) in files.items():
        if not values:
            continue
        rank = (len(values), ingest_id, file_id, sum(values) / len(values))
        key = (name, experiment)
        if key not in best or rank[:3] > best[key][:3]:
            best[key] = rank
    return [StoredTaskScore(n, e, r[3]) for (n, e), r in best.items()]
