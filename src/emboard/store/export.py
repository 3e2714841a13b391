"""Stored results back out: as :class:`ParsedResult` objects, MTEB result files, or a card.

``emboard export MODEL`` writes ``{out}/{org__model}/{revision}/{Task}.json`` (MTEB's current
schema, loadable by mteb) from the store; ``emboard create-meta --model MODEL`` builds a model
card from the store the same way it does from a results folder.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.engine import Connection

from emboard.errors import StoreError
from emboard.results.io import atomic_write_text, revision_dir, write_model_meta
from emboard.results.parsed import ParsedResult, ResultSchema, ScoreEntry
from emboard.store.encode import decode_metric
from emboard.store.queries import model_id

_FILES = """
SELECT rf.id, rf.task_name, rf.dataset_revision, rf.mteb_version, rf.evaluation_time, rf.date,
       rf.file_schema, rf.extra, r.name, r.experiment
FROM result_file rf JOIN revision r ON r.id = rf.revision_id
WHERE r.model_id = :mid AND rf.removed_ingest_id IS NULL
ORDER BY rf.task_name, rf.id
"""


def _json(value: Any) -> Any:
    if isinstance(value, str | bytes):
        return orjson.loads(value)
    return value


def model_revisions(conn: Connection, model: str) -> list[str]:
    """The revisions a model has results under."""
    mid = model_id(conn, model)
    rows = conn.execute(
        text(
            "SELECT DISTINCT r.name FROM revision r JOIN result_file rf ON rf.revision_id = r.id "
            "WHERE r.model_id = :mid AND r.experiment = '' AND rf.removed_ingest_id IS NULL "
            "ORDER BY r.name"
        ),
        {"mid": mid},
    )
    return [r[0] for r in rows]


def _pick_revision(conn: Connection, model: str, revision: str | None) -> str:
    revisions = model_revisions(conn, model)
    if revision is not None:
        if revision not in revisions:
            raise StoreError(
                f"{model} has no results under revision {revision!r}; it has: {', '.join(revisions)}"
            )
        return revision
    if len(revisions) != 1:
        raise StoreError(
            f"{model} has results under {len(revisions)} revisions ({', '.join(revisions)}); "
            "choose one with --revision"
        )
    return revisions[0]


def stored_results(
    conn: Connection, model: str, revision: str | None = None
) -> tuple[str, list[ParsedResult]]:
    """(revision, results) of one model revision (the only one when ``revision`` is None)."""
    chosen = _pick_revision(conn, model, revision)
    mid = model_id(conn, model)
    files = [r for r in conn.execute(text(_FILES), {"mid": mid}) if r[8] == chosen and r[9] == ""]
    entries: dict[int, list[ScoreEntry]] = defaultdict(list)
    ids = [f[0] for f in files]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(f":i{i}" for i in range(len(chunk)))
        rows = conn.execute(
            text(
                "SELECT result_id, split, subset, languages, main_score, metrics, details "
                f"FROM score WHERE result_id IN ({marks}) ORDER BY id"
            ),
            {f"i{i}": v for i, v in enumerate(chunk)},
        )
        for rid, split, subset, langs, main, metrics, details in rows:
            values = {k: decode_metric(v) for k, v in _json(metrics).items()}
            main_value = values.pop("main_score", main)
            entries[rid].append(
                ScoreEntry(
                    split=split,
                    subset=subset,
                    languages=tuple(_json(langs) or ()),
                    main_score=main_value,
                    metrics={k: v for k, v in values.items() if v is not None},
                    details=_json(details) or {},
                )
            )
    results = []
    for fid, task, ds_rev, version, eval_time, date, schema, extra, _rev, _exp in files:
        kind: ResultSchema = schema if schema in ("current", "legacy", "model-card") else "current"
        results.append(
            ParsedResult(
                task_name=task,
                dataset_revision=ds_rev,
                mteb_version=version,
                entries=tuple(entries[fid]),
                schema=kind,
                evaluation_time=eval_time,
                date=date,
                extra=_json(extra) or {},
            )
        )
    return chosen, results


def result_json(result: ParsedResult) -> dict[str, Any]:
    """A result in MTEB's current file schema."""
    scores: dict[str, list[dict[str, Any]]] = {}
    for e in result.entries:
        scores.setdefault(e.split, []).append(
            {
                "hf_subset": e.subset,
                "languages": list(e.languages),
                "main_score": e.main_score,
                **e.metrics,
                **e.details,
            }
        )
    return {
        "dataset_revision": result.dataset_revision or "dataset revision not available",
        "task_name": result.task_name,
        "mteb_version": result.mteb_version,
        "scores": scores,
        "evaluation_time": result.evaluation_time,
        "kg_co2_emissions": None,
        "date": result.date,
    }


def export_model(
    conn: Connection, model: str, out_dir: Path, revision: str | None = None
) -> tuple[Path, int]:
    """Write one model revision's stored results in MTEB's layout; (folder, files written)."""
    chosen, results = stored_results(conn, model, revision)
    folder = revision_dir(out_dir, model, chosen)
    seen: set[str] = set()
    for result in results:
        name = result.task_name if result.task_name not in seen else None
        if name is None:  # several stored copies of one task: keep them all, numbered
            name = f"{result.task_name}.{len([s for s in seen if s.startswith(result.task_name)])}"
        seen.add(name)
        atomic_write_text(folder / f"{name}.json", json.dumps(result_json(result), indent=2) + "\n")
    row = conn.execute(text("SELECT meta FROM model WHERE name = :n"), {"n": model}).first()
    meta = {**(_json(row[0]) if row and row[0] else {}), "name": model, "revision": chosen}
    write_model_meta(folder, meta)
    return folder, len(results)
