"""The catalog (tasks, benchmarks, registered models) copied into the store.

Done once per catalog file (its size and mtime are the fingerprint). A registered model's changed
metadata keeps its earlier values in ``history``.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from emboard.store import tables as t
from emboard.store.encode import changed_fields, dumps, model_columns
from emboard.store.writer import bulk_insert, db_now, next_id
from emboard.tasks.catalog import Catalog

CATALOG_KIND = "catalog"


def catalog_fingerprint(catalog: Catalog) -> str:
    """The catalog file's size and mtime (its source string when it is not a file)."""
    try:
        st = os.stat(catalog.source)
    except OSError:
        return catalog.source
    return f"{st.st_size}:{st.st_mtime_ns}"


def _catalog_source(conn: Connection, catalog: Catalog) -> tuple[int, str | None]:
    row = conn.execute(
        select(t.Source.id, t.Source.fingerprint).where(
            t.Source.kind == CATALOG_KIND, t.Source.location == catalog.source
        )
    ).first()
    if row is not None:
        return int(row[0]), row[1]
    new_id = next_id(conn, "source")
    conn.execute(
        insert(t.Source).values(id=new_id, kind=CATALOG_KIND, location=catalog.source, priority=0)
    )
    return new_id, None


def _sync_named(conn: Connection, table: Any, records: dict[str, dict[str, Any]]) -> None:
    existing = {name: dumps(meta) for name, meta in conn.execute(select(table.name, table.meta))}
    fresh = [n for n in records if n not in existing]
    for name, meta in records.items():
        if name in existing and existing[name] != dumps(meta):
            conn.execute(update(table).where(table.name == name).values(meta=meta))
    if table is t.Task:
        rows = [(n, records[n]["type"], records[n]["main_score"], dumps(records[n])) for n in fresh]
        bulk_insert(conn, "task", ("name", "type", "main_score", "meta"), rows)
    else:
        bulk_insert(conn, "benchmark", ("name", "meta"), [(n, dumps(records[n])) for n in fresh])


def sync_models(
    conn: Connection, metas: dict[str, dict[str, Any]], ingest_id: int, meta_source: str
) -> None:
    """Insert or update registered models' metadata (changes go to ``history``)."""
    existing = {
        row.name: row
        for row in conn.execute(select(t.Model.id, t.Model.name, t.Model.meta, t.Model.registered))
    }
    history: list[tuple[Any, ...]] = []
    new_rows: list[tuple[Any, ...]] = []
    model_id = next_id(conn, "model")
    for name, meta in metas.items():
        row = existing.get(name)
        cols = model_columns(meta)
        if row is None:
            new_rows.append(
                (model_id, name, True, dumps(meta), meta_source, *cols.values(), ingest_id)
            )
            model_id += 1
            continue
        old = row.meta or {}
        diffs = changed_fields(old, meta) if row.registered else []
        if diffs or not row.registered:
            conn.execute(
                update(t.Model)
                .where(t.Model.id == row.id)
                .values(
                    meta=meta,
                    registered=True,
                    meta_source=meta_source,
                    updated_ingest_id=ingest_id,
                    **cols,
                )
            )
        history.extend(
            ("model", row.id, field, dumps(before), dumps(after)) for field, before, after in diffs
        )
    columns = ("id", "name", "registered", "meta", "meta_source", *model_columns({}).keys())
    bulk_insert(conn, "model", (*columns, "updated_ingest_id"), new_rows)
    write_history(conn, ingest_id, history)


def write_history(conn: Connection, ingest_id: int, rows: list[tuple[Any, ...]]) -> None:
    """Add ``(entity, entity_id, field, old_json, new_json)`` rows to ``history``."""
    if not rows:
        return
    now = db_now(conn)
    first = next_id(conn, "history")
    bulk_insert(
        conn,
        "history",
        ("id", "ingest_id", "changed_at", "entity", "entity_id", "field", "old_value", "new_value"),
        [(first + i, ingest_id, now, *row) for i, row in enumerate(rows)],
    )


def sync_catalog(conn: Connection, catalog: Catalog, ingest_id: int) -> bool:
    """Copy the catalog into the store unless this very file was copied before; True if copied."""
    source_id, fingerprint = _catalog_source(conn, catalog)
    current = catalog_fingerprint(catalog)
    if fingerprint == current:
        return False
    tasks = {n: m.model_dump(mode="json", by_alias=True) for n, m in catalog.tasks.items()}
    benches = {n: m.model_dump(mode="json", by_alias=True) for n, m in catalog.benchmarks.items()}
    models = {n: m.model_dump(mode="json", exclude_none=False) for n, m in catalog.models.items()}
    _sync_named(conn, t.Task, tasks)
    _sync_named(conn, t.Benchmark, benches)
    sync_models(conn, models, ingest_id, "registry")
    conn.execute(
        update(t.Source)
        .where(t.Source.id == source_id)
        .values(fingerprint=current, last_ingest_id=ingest_id)
    )
    return True
