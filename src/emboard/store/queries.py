"""Reading the store: leaderboard rows, models, a model's results and history, value counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

import numpy as np
import orjson
from sqlalchemy import text
from sqlalchemy.engine import Connection

from emboard.errors import StoreError, unknown_name_message
from emboard.leaderboard.rows import EntryKey, ResultColumns, ResultMeta
from emboard.store.encode import decode_metric
from emboard.store.pack import RECORD, pack_scores, unpack_key, unpack_records

_FILES_SQL = """
SELECT rf.id, m.name, r.name, rf.task_name, rf.mteb_version, src.priority, r.experiment, r.variant
FROM result_file rf
JOIN revision r ON r.id = rf.revision_id
JOIN model m ON m.id = r.model_id
JOIN source src ON src.id = rf.source_id
WHERE rf.task_name IN ({marks}) AND rf.removed_ingest_id IS NULL
ORDER BY rf.id
"""
_PACKS_SQL = """
SELECT p.result_id, p.main_scores FROM result_pack p WHERE p.task_name IN ({marks})
"""
_SCORES_SQL = """
SELECT s.result_id, s.split, s.subset, s.languages, {score}
FROM score s
WHERE s.result_id IN (
    SELECT rf.id FROM result_file rf
    WHERE rf.task_name IN ({marks}) AND rf.removed_ingest_id IS NULL
)
ORDER BY s.result_id, s.id
"""


def _metric_expr(dialect: str, metric: str | None, mark: str) -> str:
    if metric is None or metric == "main_score":
        return "s.main_score"
    if dialect == "postgresql":
        return f"s.metrics -> {mark}"
    return f"json_extract(s.metrics, '$.' || {mark})"


def _check_metric(metric: str | None) -> None:
    if (
        metric is not None
        and not metric.replace("_", "").replace("-", "").replace("@", "").isalnum()
    ):
        raise StoreError(f"Bad metric name {metric!r}: letters, digits, _, - and @ only")


@dataclass
class _Read:
    """The raw reads of :func:`leaderboard_columns`."""

    files: list[Any]
    packs: dict[int, bytes]
    """Result id → ``main_scores``."""
    keys: dict[int, str]
    """``score_key`` hash → key text (the packs' keys, or more)."""


def leaderboard_columns(
    conn: Connection,
    task_names: Iterable[str],
    metric: str | None = None,
    include_experiments: bool = True,
) -> ResultColumns:
    """Every stored (model, revision, task, split, subset) score of these tasks, as the
    leaderboard engine's columns: results in ingest order, entries as each file lists them.

    The leaderboard's cold path reads no row per score entry: the result files (on a covering
    index), their packs (``store/pack.py``, one range per task) and the packs' keys. Another
    metric (or a file without a pack) is read from the score entries and packed here.
    """
    names = sorted(set(task_names))
    _check_metric(metric)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        read = _read(cursor, conn.dialect.name, names, metric) if names else _Read([], {}, {})
        files = read.files if include_experiments else [f for f in read.files if not f[6]]
        blobs = [read.packs.get(row[0], b"") for row in files]
        score, hashes = unpack_records(blobs)
        uniq, key = np.unique(hashes, return_inverse=True)
        keys = _read_keys(cursor, mark, uniq.tolist(), read.keys)
    finally:
        cursor.close()
    make = tuple.__new__
    counts = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // RECORD.itemsize
    return ResultColumns(
        results=[
            make(ResultMeta, (*row[1:5], int(row[5] or 0), row[6] or None, row[7] or None))
            for row in files
        ],
        keys=keys,
        result=np.repeat(np.arange(len(files), dtype=np.int64), counts),
        key=key.astype(np.int64).reshape(-1),
        score=score,
    )


def _read(cursor: Any, dialect: str, names: list[str], metric: str | None) -> _Read:
    """The files and their packs (read, or made from the score entries: another metric, or a
    file without a pack)."""
    mark = "?" if dialect == "sqlite" else "%s"
    marks = ", ".join(mark for _ in names)
    cursor.execute(_FILES_SQL.format(marks=marks), names)
    read = _Read(cursor.fetchall(), {}, {})
    by_metric = metric is not None and metric != "main_score"
    if not by_metric:
        cursor.execute(_PACKS_SQL.format(marks=marks), names)
        read.packs = dict(cursor.fetchall())
    if by_metric or any(f[0] not in read.packs for f in read.files):
        score = _metric_expr(dialect, metric, mark)
        cursor.execute(
            _SCORES_SQL.format(score=score, marks=marks), [metric, *names] if by_metric else names
        )
        for result_id, group in groupby(cursor.fetchall(), key=itemgetter(0)):
            if by_metric or result_id not in read.packs:
                read.packs[result_id], keys = pack_scores(
                    (e[1], e[2], e[3], decode_metric(e[4]) if by_metric else e[4]) for e in group
                )
                read.keys.update(keys)
    return read


def _read_keys(cursor: Any, mark: str, hashes: list[int], known: dict[int, str]) -> list[EntryKey]:
    """The keys of these ``score_key`` hashes (those not ``known`` read from the store)."""
    wanted = [h for h in hashes if h not in known]
    for start in range(0, len(wanted), 10000):
        chunk = wanted[start : start + 10000]
        in_list = ", ".join(mark for _ in chunk)
        cursor.execute(f"SELECT hash, key FROM score_key WHERE hash IN ({in_list})", chunk)
        known.update(cursor.fetchall())
    missing = sum(1 for h in hashes if h not in known)
    if missing:
        raise StoreError(f"The store's score_key table lacks {missing} keys of packed scores")
    return [unpack_key(known[h]) for h in hashes]


def model_metas(
    conn: Connection, registered: bool | None = None, names: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Stored models' metadata dicts by name (registry metadata for registered models); only
    registered or unregistered ones when ``registered`` is set, only ``names`` when given."""
    out: dict[str, dict[str, Any]] = {}
    where = []
    params: dict[str, Any] = {}
    if registered is not None:
        where.append("registered = :r")
        params["r"] = registered
    wanted = None if names is None else set(names)
    sql = "SELECT name, meta, registered FROM model" + (
        " WHERE " + " AND ".join(where) if where else ""
    )
    for name, meta, registered_flag in conn.execute(text(sql), params):
        if wanted is not None and name not in wanted:
            continue
        data = meta if isinstance(meta, dict) else orjson.loads(meta or "{}")
        out[name] = {"name": name, **data, "registered": bool(registered_flag)}
    return out


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """A model in ``emboard models``."""

    name: str
    registered: bool
    n_parameters: int | None
    embed_dim: int | None
    revisions: int
    results: int


def list_models(
    conn: Connection, search: str | None = None, with_results: bool = True
) -> list[ModelSummary]:
    """Models (with results, unless asked otherwise), optionally whose name contains ``search``."""
    sql = """
    SELECT m.name, m.registered, m.n_parameters, m.embed_dim,
           COUNT(DISTINCT r.id), COUNT(rf.id)
    FROM model m
    LEFT JOIN revision r ON r.model_id = m.id
    LEFT JOIN result_file rf ON rf.revision_id = r.id AND rf.removed_ingest_id IS NULL
    GROUP BY m.id, m.name, m.registered, m.n_parameters, m.embed_dim
    ORDER BY m.name
    """
    needle = (search or "").lower()
    out = []
    for row in conn.exec_driver_sql(sql):
        if needle and needle not in row[0].lower():
            continue
        if with_results and not row[5]:
            continue
        out.append(ModelSummary(row[0], bool(row[1]), row[2], row[3], int(row[4]), int(row[5])))
    return out


def model_id(conn: Connection, name: str) -> int:
    """A model's id; an unknown name raises with close matches."""
    row = conn.execute(text("SELECT id FROM model WHERE name = :n"), {"n": name}).first()
    if row is None:
        names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM model")]
        raise StoreError(unknown_name_message("model", name, names))
    return int(row[0])


@dataclass(frozen=True, slots=True)
class StoredScore:
    """One stored (task, split, subset) score of a model, with where it came from."""

    revision: str
    experiment: str
    task_name: str
    split: str
    subset: str
    main_score: float | None
    source_kind: str
    source: str
    path: str
    commit: str | None
    ingest_id: int


def model_scores(
    conn: Connection, name: str, tasks: Sequence[str] | None = None
) -> list[StoredScore]:
    """Every stored main score of a model (all revisions), with its source."""
    mid = model_id(conn, name)
    sql = """
    SELECT r.name, r.experiment, rf.task_name, s.split, s.subset, s.main_score,
           src.kind, src.location, rf.path, rf."commit", rf.ingest_id
    FROM score s JOIN result_file rf ON rf.id = s.result_id
    JOIN revision r ON r.id = rf.revision_id JOIN source src ON src.id = rf.source_id
    WHERE r.model_id = :mid AND rf.removed_ingest_id IS NULL
    ORDER BY rf.task_name, r.name, s.split, s.subset
    """
    wanted = set(tasks) if tasks else None
    return [
        StoredScore(*row)
        for row in conn.execute(text(sql), {"mid": mid})
        if wanted is None or row[2] in wanted
    ]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """An earlier value an ingest replaced."""

    changed_at: str
    ingest_id: int
    what: str
    field: str
    old_value: Any
    new_value: Any


def model_history(conn: Connection, name: str) -> list[HistoryEntry]:
    """Changes to a model's metadata, revisions and scores, oldest first."""
    mid = model_id(conn, name)
    sql = """
    SELECT h.changed_at, h.ingest_id, h.entity, h.field, h.old_value, h.new_value, h.entity_id
    FROM history h
    WHERE (h.entity = 'model' AND h.entity_id = :mid)
       OR (h.entity = 'revision' AND h.entity_id IN (SELECT id FROM revision WHERE model_id = :mid))
       OR (h.entity = 'result' AND h.entity_id IN (
            SELECT rf.id FROM result_file rf JOIN revision r ON r.id = rf.revision_id
            WHERE r.model_id = :mid))
    ORDER BY h.id
    """
    paths = {
        r[0]: r[1]
        for r in conn.execute(
            text(
                "SELECT rf.id, rf.path FROM result_file rf JOIN revision r ON r.id = rf.revision_id "
                "WHERE r.model_id = :mid"
            ),
            {"mid": mid},
        )
    }
    out = []
    for row in conn.execute(text(sql), {"mid": mid}):
        what = row[2] if row[2] != "result" else paths.get(row[6], "result")
        out.append(
            HistoryEntry(str(row[0]), int(row[1]), what, row[3], _load(row[4]), _load(row[5]))
        )
    return out


def _load(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def count_values(conn: Connection) -> int:
    """How many score values the store holds (every stored metric of every entry)."""
    if conn.dialect.name == "postgresql":
        sql = (
            "SELECT COALESCE(SUM((SELECT COUNT(*) FROM jsonb_object_keys(metrics))), 0) FROM score"
        )
    else:
        sql = "SELECT COALESCE(SUM((SELECT COUNT(*) FROM json_each(score.metrics))), 0) FROM score"
    return int(conn.exec_driver_sql(sql).scalar() or 0)
