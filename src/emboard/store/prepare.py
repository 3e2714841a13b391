"""The read side of an ingest: files → parsed, encoded rows ready to insert.

Work that needs no database (reading, hashing, parsing, JSON encoding) happens here, grouped by
model folder, and for large sources in a second process so it overlaps with the writes
(:func:`prepared_batches`). A file whose content hash equals the stored one is not parsed.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing as mp
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from math import isnan
from typing import Any, NamedTuple

import orjson

from emboard.errors import ResultFormatError, StoreError
from emboard.results.parsed import ParsedResult, TaskLookup
from emboard.store.encode import dumps
from emboard.store.sources import MODEL_META_FILE, SourceFile, file_digest

logger = logging.getLogger(__name__)
_dumps = orjson.dumps

Parser = Callable[[bytes, str], ParsedResult]
EncodedEntry = tuple[str, str, str, float | None, str, str | None]
"""(split, subset, languages JSON, main score or None, metrics JSON, details JSON or None)."""


class EncodedFile(NamedTuple):
    """One parsed result file, encoded for the ``result_file`` and ``score`` tables.

    A named tuple: batches cross a process boundary, and tuples pickle several times faster
    than dataclasses.
    """

    path: str
    folder: str
    digest: str
    stamp: str | None
    task_name: str
    schema: str
    dataset_revision: str | None
    mteb_version: str | None
    evaluation_time: float | None
    date: float | None
    extra: str | None
    entries: list[EncodedEntry]
    n_values: int


@dataclass
class PreparedBatch:
    """The files of one or more whole model folders, ready to write."""

    metas: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[EncodedFile] = field(default_factory=list)
    unchanged: list[tuple[str, str | None]] = field(default_factory=list)
    """(path, stamp) of files whose content the store already holds."""
    problems: list[tuple[str, str]] = field(default_factory=list)


def make_parser(tasks: TaskLookup) -> Parser:
    """``parse(data, path)`` with the task lookup bound."""
    from emboard.results.parse import parse_result

    def parse(data: bytes, path: str) -> ParsedResult:
        return parse_result(data, path=path, tasks=tasks)

    return parse


_LANG_JSON: dict[tuple[str, ...], str] = {}
_VERSION_JSON: dict[str, str] = {}


def _details_json(details: dict[str, Any]) -> str | None:
    """``score.details`` text; the usual ``{"mteb_version": v}`` from a per-version cache."""
    if not details:
        return None
    version = details.get("mteb_version") if len(details) == 1 else None
    if type(version) is not str:
        return dumps(details)
    text = _VERSION_JSON.get(version)
    if text is None:
        text = _VERSION_JSON[version] = dumps(details)
    return text


def encode_result(
    path: str, folder: str, digest: str, stamp: str | None, result: ParsedResult
) -> EncodedFile:
    """A parsed result as rows. ``metrics`` JSON holds every numeric value, main score included.

    The child's hot loop (1.3 M entries on the snapshot): JSON through orjson directly (the
    :func:`~emboard.store.encode.dumps` fallback only when a non-finite value made a ``null``),
    languages and the usual details texts cached, values counted on the way.
    """
    entries: list[EncodedEntry] = []
    append = entries.append
    languages_cache = _LANG_JSON
    n_values = 0
    for e in result.entries:
        main = e.main_score
        metrics = e.metrics
        n_values += len(metrics)
        if main is not None:
            n_values += 1
            metrics = {"main_score": main, **metrics}
            if isnan(main):  # NULL in the float column, "NaN" in the JSON
                main = None
        text = _dumps(metrics)
        # orjson writes non-finite floats as null: then the slower dumps that keeps them
        metrics_text = dumps(metrics) if b"null" in text else text.decode()
        languages = languages_cache.get(e.languages)
        if languages is None:
            languages = languages_cache[e.languages] = _dumps(list(e.languages)).decode()
        append((e.split, e.subset, languages, main, metrics_text, _details_json(e.details)))
    return EncodedFile(
        path=path,
        folder=folder,
        digest=digest,
        stamp=stamp,
        task_name=result.task_name,
        schema=result.schema,
        dataset_revision=result.dataset_revision,
        mteb_version=result.mteb_version,
        evaluation_time=result.evaluation_time,
        date=result.date,
        extra=dumps(result.extra) if result.extra else None,
        entries=entries,
        n_values=n_values,
    )


def read_meta_into(path: str, data: bytes, batch: PreparedBatch) -> None:
    """Parse a ``model_meta.json`` into ``batch.metas`` (or its problems)."""
    try:
        meta = orjson.loads(data)
    except orjson.JSONDecodeError:
        try:  # NaN / Infinity literals, which Python's json (and so mteb) accepts
            meta = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            batch.problems.append((path, f"model_meta.json is not valid JSON ({exc})"))
            return
    if not isinstance(meta, dict):
        batch.problems.append((path, "model_meta.json must hold a JSON object"))
        return
    batch.metas[path.rpartition("/")[0]] = meta


def prepare(files: Iterable[SourceFile], known: dict[str, str], parse: Parser) -> PreparedBatch:
    """Hash, compare with ``known`` (path → stored digest), parse and encode what changed."""
    batch = PreparedBatch()
    for item in files:
        folder, _, name = item.path.rpartition("/")
        if name == MODEL_META_FILE:
            if item.data is not None:
                read_meta_into(item.path, item.data, batch)
            continue
        if item.data is None:
            batch.unchanged.append((item.path, item.stamp))
            continue
        digest = file_digest(item.data)
        if known.get(item.path) == digest:
            batch.unchanged.append((item.path, item.stamp))
            continue
        try:
            result = parse(item.data, item.path)
        except ResultFormatError as exc:
            batch.problems.append((item.path, str(exc)))
            continue
        batch.files.append(encode_result(item.path, folder, digest, item.stamp, result))
    return batch


def by_model(files: Iterable[SourceFile]) -> Iterator[list[SourceFile]]:
    """Consecutive files of one model folder, as lists."""
    batch: list[SourceFile] = []
    current = None
    for item in files:
        model = item.path.split("/", 1)[0]
        if model != current and batch:
            yield batch
            batch = []
        current = model
        batch.append(item)
    if batch:
        yield batch


def _produce(files: Iterable[SourceFile], known: dict[str, str], parse: Parser, queue: Any) -> None:
    # The child only allocates short-lived, acyclic objects: without the cyclic collector
    # (which would rescan the inherited catalog again and again) parsing is ~2x faster.
    gc.freeze()
    gc.disable()
    try:
        for group in by_model(files):
            queue.put(("batch", prepare(group, known, parse), len(group)))
        queue.put(("end", None, 0))
    except BaseException:  # reported to the parent, which raises
        queue.put(("error", traceback.format_exc(), 0))


QUEUE_BATCHES = 64
"""Model folders the child may read ahead of the writes (it starts while the ingest sets up)."""


class PreparedBatches:
    """``(batch, files read)`` per model folder, read and parsed in a child process if parallel.

    The child starts at once, so it reads while the caller sets the ingest up (the catalog sync
    of a new store takes ~1 s); use as a context manager, which stops it.
    """

    def __init__(
        self, files: Iterable[SourceFile], known: dict[str, str], parse: Parser, parallel: bool
    ) -> None:
        self._args = (files, known, parse)
        self._child: Any = None
        if parallel and "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
            self._queue = ctx.Queue(maxsize=QUEUE_BATCHES)
            self._child = ctx.Process(target=_produce, args=(*self._args, self._queue), daemon=True)
            self._child.start()

    def __enter__(self) -> PreparedBatches:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[tuple[PreparedBatch, int]]:
        files, known, parse = self._args
        if self._child is None:
            for group in by_model(files):
                yield prepare(group, known, parse), len(group)
            return
        while True:
            kind, payload, n = self._queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise StoreError(f"Reading the source failed:\n{payload}")
            yield payload, n

    def close(self) -> None:
        """Stop the child (if it still runs) and wait for it."""
        if self._child is not None:
            if self._child.is_alive():
                self._child.terminate()
            self._child.join()
