"""Model cards as a source: a README.md whose ``model-index`` holds MTEB results.

Each card result (one task at one dataset revision) is stored as if it were the file
``{org__model}/external/{Task}.json`` of the results repo (``external`` is the revision folder
MTEB uses for scores imported from cards); values are fractions, as in result files.
"""

from __future__ import annotations

import time
from pathlib import Path

from emboard.errors import ResultFormatError, StoreError
from emboard.results.card_reader import read_model_card
from emboard.results.io import model_dir_name
from emboard.store.batch import BatchWriter
from emboard.store.db import Store
from emboard.store.encode import canonical
from emboard.store.prepare import PreparedBatch, encode_result
from emboard.store.report import IngestReport
from emboard.store.sources import SourceSpec, file_digest
from emboard.tasks.catalog import Catalog
from emboard.tasks.lookup import CatalogTaskLookup

CARD_REVISION = "external"


def resolve_card_model(name: str | None, catalog: Catalog, source: str) -> str:
    """The model a card is about: its ``model-index`` name, completed to a registered id."""
    if not name:
        raise StoreError(f"{source}: the card's model-index has no name; pass --model-name")
    if "/" in name or name in catalog.models:
        return name
    matches = [m for m in catalog.models if m.rsplit("/", 1)[-1] == name]
    return matches[0] if len(matches) == 1 else name


def _result_path(model: str, task: str, dataset_revision: str | None, seen: set[str]) -> str:
    path = f"{model_dir_name(model)}/{CARD_REVISION}/{task}.json"
    if path in seen:
        path = f"{model_dir_name(model)}/{CARD_REVISION}/{task}@{dataset_revision}.json"
    seen.add(path)
    return path


def ingest_card(
    store: Store,
    spec: SourceSpec,
    catalog: Catalog,
    report: IngestReport,
    started: float,
    model_name: str | None = None,
) -> IngestReport:
    """Ingest one model card (see :func:`emboard.store.ingest.ingest`)."""
    from emboard.store.ingest import begin_ingest, finish_ingest, load_state, mark_removed

    data = Path(spec.root).read_bytes()
    digest = file_digest(data)
    source_id, ingest_id, last = begin_ingest(store, spec, catalog, report)
    report.fingerprint = digest
    if last == digest:
        report.status = "unchanged"
        report.seconds = time.perf_counter() - started
        finish_ingest(store, source_id, report, digest)
        return report
    try:
        card = read_model_card(
            data.decode("utf-8", errors="replace"),
            source=spec.location,
            tasks=CatalogTaskLookup(catalog),
        )
    except ResultFormatError as exc:
        report.problem(spec.location, str(exc))
        report.status = "done"
        report.seconds = time.perf_counter() - started
        finish_ingest(store, source_id, report, None)
        return report
    model = model_name or resolve_card_model(card.model_name, catalog, spec.location)
    with store.engine.connect() as conn:
        state = load_state(conn, source_id)
    writer = BatchWriter(store.engine.connect, state, source_id, ingest_id, report)
    paths: set[str] = set()
    pending = []
    for result in card.results:
        path = _result_path(model, result.task_name, result.dataset_revision, paths)
        entry_digest = file_digest(canonical(_as_json(result)).encode())
        if not writer.unchanged(path, entry_digest):
            folder = path.rsplit("/", 1)[0]
            pending.append(encode_result(path, folder, entry_digest, None, result))
    for warning in card.warnings:
        report.problem(spec.location, warning)
    folder = f"{model_dir_name(model)}/{CARD_REVISION}"
    meta = {"name": model, "revision": CARD_REVISION}
    writer.write([PreparedBatch(metas={folder: meta}, files=pending)])
    mark_removed(store, state, [p for p in state.files if p not in state.seen], ingest_id, report)
    report.status = "done" if report.changed_anything else "unchanged"
    report.seconds = time.perf_counter() - started
    finish_ingest(store, source_id, report, digest)
    return report


def _as_json(result: object) -> object:
    from dataclasses import asdict, is_dataclass

    return asdict(result) if is_dataclass(result) and not isinstance(result, type) else result
