"""``ingest(store, source)``: read a source's result files into the store.

Sources: a folder in the results-repo layout (emboard's own output folders included), a git
checkout (incremental: only what changed since the last ingested commit), a ``.tar.zst`` archive
(streamed), a model card. Each model folder is one transaction; a bad file is reported and
skipped; an unchanged file is skipped by its content hash (or folder stamp); an archive or commit
ingested before is skipped whole. Ingesting the same data twice changes nothing.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from emboard.log import Progress
from emboard.store import tables as t
from emboard.store.batch import BatchWriter, FileState, ModelState, StoreState
from emboard.store.catalog_sync import sync_catalog, write_history
from emboard.store.db import Store
from emboard.store.deferred import validate_foreign_keys
from emboard.store.encode import canonical_json
from emboard.store.prepare import PreparedBatch, PreparedBatches, make_parser
from emboard.store.report import IngestReport
from emboard.store.sources import (
    MODEL_META_FILE,
    SourceFile,
    SourceSpec,
    archive_digest,
    git_changes,
    git_head,
    read_archive,
    read_directory,
    read_paths,
    resolve_source,
    results_root,
)
from emboard.store.writer import next_id, take_write_lock
from emboard.tasks.catalog import Catalog
from emboard.tasks.lookup import CatalogTaskLookup

logger = logging.getLogger(__name__)

TRANSACTION_FILES = 4000
"""Files written per transaction (always whole model folders: never a partial model)."""

SOURCE_PRIORITY = {"directory": 0, "git": 0, "archive": 0, "model-card": 10}


def _source_row(conn: Connection, spec: SourceSpec) -> tuple[int, str | None]:
    row = conn.execute(
        select(t.Source.id, t.Source.fingerprint).where(
            t.Source.kind == spec.kind, t.Source.location == spec.location
        )
    ).first()
    if row is not None:
        return int(row[0]), row[1]
    new_id = next_id(conn, "source")
    conn.execute(
        insert(t.Source).values(
            id=new_id,
            kind=spec.kind,
            location=spec.location,
            priority=SOURCE_PRIORITY[spec.kind],
        )
    )
    return new_id, None


def begin_ingest(
    store: Store, spec: SourceSpec, catalog: Catalog, report: IngestReport
) -> tuple[int, int, str | None]:
    with store.engine.begin() as conn:
        take_write_lock(conn)
        source_id, fingerprint = _source_row(conn, spec)
        ingest_id = next_id(conn, "ingest")
        conn.execute(
            insert(t.Ingest).values(
                id=ingest_id, source_id=source_id, status="running", counts={}, problems=[]
            )
        )
        report.catalog_synced = sync_catalog(conn, catalog, ingest_id)
    report.ingest_id = ingest_id
    return source_id, ingest_id, fingerprint


def find_source(store: Store, spec: SourceSpec) -> tuple[int | None, str | None]:
    """(id, fingerprint) of the source if the store knows it, read without writing."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(t.Source.id, t.Source.fingerprint).where(
                t.Source.kind == spec.kind, t.Source.location == spec.location
            )
        ).first()
    return (None, None) if row is None else (int(row[0]), row[1])


def load_files(conn: Connection, source_id: int | None) -> dict[str, FileState]:
    """The files the store holds from one source, by path."""
    if source_id is None:
        return {}
    return {
        r[1]: FileState(r[0], r[2], r[3], r[4] is not None)
        for r in conn.execute(
            select(
                t.ResultFile.id,
                t.ResultFile.path,
                t.ResultFile.content_hash,
                t.ResultFile.stamp,
                t.ResultFile.removed_ingest_id,
            ).where(t.ResultFile.source_id == source_id)
        )
    }


def load_state(
    conn: Connection, source_id: int, files: dict[str, FileState] | None = None
) -> StoreState:
    """Models, revisions and the source's files (``files`` when already loaded)."""
    models = {
        r.name: ModelState(r.id, bool(r.registered), r.meta or {})
        for r in conn.execute(select(t.Model.id, t.Model.name, t.Model.registered, t.Model.meta))
    }
    revisions = {
        (r[1], r[2], r[3]): (r[0], canonical_json(r[4]) if r[4] else "")
        for r in conn.exec_driver_sql("SELECT id, model_id, name, experiment, meta FROM revision")
    }
    if files is None:
        files = load_files(conn, source_id)
    return StoreState(models=models, revisions=revisions, files=files)


def mark_removed(
    store: Store, state: StoreState, paths: Iterable[str], ingest_id: int, report: IngestReport
) -> None:
    ids = [state.files[p].id for p in paths if p in state.files and not state.files[p].removed]
    if not ids:
        return
    with store.engine.begin() as conn:
        take_write_lock(conn)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(
                update(t.ResultFile)
                .where(t.ResultFile.id.in_(chunk))
                .values(removed_ingest_id=ingest_id)
            )
        write_history(conn, ingest_id, [("result", i, "removed", "false", "true") for i in ids])
    report.files_removed += len(ids)


def finish_ingest(
    store: Store, source_id: int, report: IngestReport, fingerprint: str | None
) -> None:
    from emboard.store.tables import utcnow

    with store.engine.begin() as conn:
        conn.execute(
            update(t.Ingest)
            .where(t.Ingest.id == report.ingest_id)
            .values(
                status=report.status,
                finished_at=utcnow(),
                fingerprint=fingerprint,
                counts=report.counts(),
                problems=[{"path": p.path, "reason": p.reason} for p in report.problems],
            )
        )
        if report.status in ("done", "unchanged"):
            conn.execute(
                update(t.Source)
                .where(t.Source.id == source_id)
                .values(fingerprint=fingerprint, last_ingest_id=report.ingest_id)
            )


def _meta_reader(root: Path) -> Any:
    base = results_root(root)

    def read(folder: str) -> bytes | None:
        path = base / folder / MODEL_META_FILE
        return path.read_bytes() if path.is_file() else None

    return read


def _files(
    spec: SourceSpec, stored: dict[str, FileState], since: str | None, head: str | None
) -> tuple[Iterable[SourceFile], list[str] | None]:
    """The files to read, and the deleted paths when known (None: infer from a full read)."""
    if spec.kind == "archive":
        return read_archive(spec.root), None
    if spec.kind == "git" and since and head and since != head:
        changed, deleted = git_changes(spec.root, since, head)
        return read_paths(spec.root, changed), deleted
    known = {p: f.stamp for p, f in stored.items() if not f.removed}
    return read_directory(spec.root, known), None


def ingest(
    store: Store,
    location: str | Path,
    catalog: Catalog,
    *,
    force: bool = False,
    progress: Progress | None = None,
    model_name: str | None = None,
) -> IngestReport:
    """Ingest one source; returns what was done (bad files listed, the rest stored).

    ``model_name`` names the model of a model card whose ``model-index`` name is not a full id.
    The source is read and parsed in a child process that starts before the ingest is recorded
    and the catalog synced, so both overlap with reading.
    """
    spec = resolve_source(str(location))
    report = IngestReport(source=spec.location, kind=spec.kind)
    started = time.perf_counter()
    if spec.kind == "model-card":
        from emboard.store.cards import ingest_card

        return ingest_card(store, spec, catalog, report, started, model_name)
    head = git_head(spec.root) if spec.kind == "git" else None
    fingerprint = archive_digest(spec.root) if spec.kind == "archive" else head
    source_id, last = find_source(store, spec)
    if fingerprint and fingerprint == last and not force:
        source_id, _, _ = begin_ingest(store, spec, catalog, report)
        report.status = "unchanged"
        _finish(store, source_id, report, fingerprint, started)
        return report
    with store.engine.connect() as conn:
        stored = load_files(conn, source_id)
    files, deleted = _files(spec, stored, None if force else last, head)
    known = {p: f.digest for p, f in stored.items() if not f.removed}
    parse = make_parser(CatalogTaskLookup(catalog))
    # a full read of the source: read in a second process, overlapping the writes
    with PreparedBatches(files, known, parse, parallel=deleted is None) as batches:
        source_id, ingest_id, _ = begin_ingest(store, spec, catalog, report)
        with store.engine.connect() as conn:
            state = load_state(conn, source_id, stored)
        writer = BatchWriter(
            conn_factory=store.engine.connect,
            state=state,
            source_id=source_id,
            ingest_id=ingest_id,
            report=report,
            meta_reader=None if spec.kind == "archive" else _meta_reader(spec.root),
            commit=head,
        )
        try:
            _write_all(store, writer, batches, deleted, progress)
        except BaseException:
            report.status = "failed"
            raise
        finally:
            _finish(store, source_id, report, fingerprint, started)
    return report


def _write_all(
    store: Store,
    writer: BatchWriter,
    batches: Iterable[tuple[PreparedBatch, int]],
    deleted: list[str] | None,
    progress: Progress | None,
) -> None:
    """Write every batch (whole model folders, ~:data:`TRANSACTION_FILES` files per
    transaction), do the work they deferred, mark files gone from the source as removed."""
    report, state = writer.report, writer.state
    task_id = (
        progress.add_task(f"ingest {Path(report.source).name}", total=None) if progress else None
    )
    collecting = gc.isenabled()
    gc.disable()  # many small long-lived objects (rows, state): the cyclic collector only costs
    try:
        pending: list[PreparedBatch] = []
        size = 0
        for batch, n_read in batches:
            pending.append(batch)
            size += len(batch.files) + len(batch.unchanged)
            if size >= TRANSACTION_FILES:
                writer.write(pending)
                pending, size = [], 0
            if progress is not None:
                progress.advance(task_id, n_read)
        writer.write(pending)
        with store.engine.begin() as conn:
            validate_foreign_keys(conn)
        removed = (
            deleted if deleted is not None else [p for p in state.files if p not in state.seen]
        )
        mark_removed(store, state, removed, writer.ingest_id, report)
        report.status = "done" if report.changed_anything else "unchanged"
    finally:
        if collecting:
            gc.enable()


def _finish(
    store: Store, source_id: int, report: IngestReport, fingerprint: str | None, started: float
) -> None:
    report.fingerprint = fingerprint
    report.seconds = time.perf_counter() - started
    finish_ingest(store, source_id, report, fingerprint)
