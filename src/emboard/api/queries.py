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
