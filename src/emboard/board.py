"""The leaderboard over a store: what the CLI and the web API ask for.

``Board(store, catalog).leaderboard("MTEB(eng, v2)", filters, metric)`` reads the benchmark's
stored scores (as columns: each result file's packed main scores, ``store/pack.py``) and builds
MTEB's tables with the leaderboard engine. The selected long
table (a :class:`~emboard.leaderboard.engine.PreparedBenchmark`) is cached per (benchmark,
metric), so a new filter only aggregates; tables are cached per (benchmark, filters, metric).
Both are dropped when an ingest finishes (the store's last ingest id is the cache generation),
so a warm request does no database work beyond one tiny query.

Memory stays bounded however many filters visitors try: a benchmark's default tables (no
filter, main score) and its main-score long table stay; other tables are a least-recently-used
set of at most :data:`MAX_TABLES` tables and :data:`MAX_CELLS` cells, other metrics' long tables
at most :data:`MAX_PREPARED`. Only the default tables are kept in the store's ``board_cache``
(one row per benchmark and generation), so that filters cannot fill it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from emboard.errors import TaskDefinitionError
from emboard.heap import release_free_heap
from emboard.tasks.catalog import Catalog
from emboard.tasks.metadata import BenchmarkMetadata, ModelMeta

if TYPE_CHECKING:
    from emboard.leaderboard.engine import PreparedBenchmark
    from emboard.leaderboard.filters import LeaderboardFilter
    from emboard.leaderboard.tables import Leaderboard
    from emboard.leaderboard.training import TrainingData
    from emboard.store.db import Store

logger = logging.getLogger(__name__)

MAX_TABLES = 48
"""Filtered (or other-metric) leaderboards kept in memory, least recently used dropped first..."""
MAX_CELLS = 3_000_000
"""... and their total cells (all views; at most ~30 bytes each, a missing score far less):
MTEB(Multilingual, v2)'s unfiltered leaderboard has ~77,000, so up to ~90 MB."""
MAX_PREPARED = 4
"""Long tables kept for metrics other than the main score (those of the main score all stay)."""

Key = tuple[Any, ...]


def model_meta_from_store(name: str, meta: Mapping[str, Any]) -> ModelMeta:
    """A stored metadata dict as a :class:`ModelMeta` (unknown or bad fields dropped)."""
    from pydantic import ValidationError

    data = {k: v for k, v in meta.items() if k != "registered"}
    data["name"] = name
    try:
        return ModelMeta.model_validate(data)
    except ValidationError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        return ModelMeta.model_validate({k: v for k, v in data.items() if k not in bad})


@dataclass
class Board:
    """Leaderboards of one store, cached until the next ingest."""

    store: Store
    catalog: Catalog
    registered_only: bool = False
    """Rank and list only models of MTEB's registry (mteb's own rule, its exact tables);
    otherwise every stored model is ranked and listed (private and unregistered ones too)."""
    persist: bool = True
    """Keep built default tables in the store's ``board_cache`` too, so a new process (a
    restarted server, the CLI) gets them without rebuilding until the next ingest."""
    max_tables: int = MAX_TABLES
    max_cells: int = MAX_CELLS
    max_prepared: int = MAX_PREPARED
    _cache: dict[Key, Leaderboard] = field(default_factory=dict)
    """Default tables (no filter, main score): never evicted within a generation."""
    _lru: OrderedDict[Key, tuple[Leaderboard, int]] = field(default_factory=OrderedDict)
    """Other tables with their cell counts, least recently used first."""
    _cells: int = 0
    _prepared: dict[tuple[str, str | None], PreparedBenchmark] = field(default_factory=dict)
    _generation: int | None = None
    _models: dict[str, ModelMeta] | None = None
    _training: TrainingData | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def generation(self) -> int:
        """The latest ingest that changed stored data (or failed part-way): caches built before
        it are stale; an ingest that found nothing new leaves them valid."""
        with self.store.engine.connect() as conn:
            value = conn.exec_driver_sql(
                "SELECT COALESCE(MAX(id), 0) FROM ingest WHERE status IN ('done', 'failed')"
            ).scalar()
        return int(value or 0)

    def _refresh(self) -> None:
        gen = self.generation()
        if gen != self._generation:
            self._cache.clear()
            self._lru.clear()
            self._cells = 0
            self._prepared.clear()
            self._models = None
            self._training = None
            self._generation = gen

    def models(self) -> dict[str, ModelMeta]:
        """The model metadata the tables show (registry metadata for registered models)."""
        if self._models is None:
            from emboard.store.queries import model_metas

            with self.store.engine.connect() as conn:
                stored = {} if self.registered_only else model_metas(conn, registered=False)
            out = dict(self.catalog.models)
            for name, meta in stored.items():
                if name in out or (self.registered_only and not meta.get("registered")):
                    continue
                out[name] = model_meta_from_store(name, meta)
            self._models = out
        return self._models

    def leaderboard(
        self,
        benchmark: str,
        filters: LeaderboardFilter | None = None,
        metric: str | None = None,
    ) -> Leaderboard:
        """MTEB's tables of ``benchmark`` (name or alias) from the stored results."""
        bench = self.catalog.get_benchmark(benchmark)
        key = (bench.name, filters, metric)
        default = filters is None and metric is None
        with self._lock:
            self._refresh()
            cached = self._cache.get(key) if default else self._recent(key)
            if cached is not None:
                return cached
            persist = self.persist and default
            digest = _cache_key(key, self.registered_only)
            board = self._load_persisted(digest) if persist else None
            if board is None:
                board = self._build(bench, filters, metric)
                if persist:
                    self._save_persisted(digest, board)
            if default:
                self._cache[key] = board
            else:
                self._remember(key, board)
            return board

    def prepare(self, benchmark: str, metric: str | None = None) -> None:
        """Load ``benchmark``'s rows and select its long table now (what a first filter would
        otherwise wait for); ``emboard serve`` does it for the default benchmark at start.

        The unfiltered tables are aggregated too (and kept, unless already held): that also
        fills the per-model caches an aggregation uses (the zero-shot figures), so a first
        filter costs what any later one does."""
        bench = self.catalog.get_benchmark(benchmark)
        from emboard.leaderboard.entries import gc_paused

        with self._lock, gc_paused():
            self._refresh()
            prepared = self._prepare(bench, metric)
            key = (bench.name, None, metric)
            if key not in self._cache and key not in self._lru:
                board = prepared.leaderboard(None, training=self._training)
                if metric is None:
                    self._cache[key] = board
                else:
                    self._remember(key, board)
        release_free_heap()

    def cached_tables(self) -> int:
        """Leaderboards held in memory (default and others)."""
        return len(self._cache) + len(self._lru)

    def _recent(self, key: Key) -> Leaderboard | None:
        hit = self._lru.get(key)
        if hit is None:
            return None
        self._lru.move_to_end(key)
        return hit[0]

    def _remember(self, key: Key, board: Leaderboard) -> None:
        """Keep a non-default table, dropping the least recently used over the bounds."""
        cells = table_cells(board)
        if cells > self.max_cells:
            return
        self._lru[key] = (board, cells)
        self._cells += cells
        while len(self._lru) > self.max_tables or self._cells > self.max_cells:
            self._cells -= self._lru.popitem(last=False)[1][1]

    def _load_persisted(self, digest: str) -> Leaderboard | None:
        from sqlalchemy import text

        with self.store.engine.connect() as conn:
            row = conn.execute(
                text("SELECT payload FROM board_cache WHERE key = :k AND generation = :g"),
                {"k": digest, "g": self._generation},
            ).first()
        return None if row is None else decode_leaderboard(bytes(row[0]))

    def _save_persisted(self, digest: str, board: Leaderboard) -> None:
        from sqlalchemy import text

        payload = encode_leaderboard(board)
        with self.store.engine.begin() as conn:
            conn.execute(
                text("DELETE FROM board_cache WHERE key = :k OR generation <> :g"),
                {"k": digest, "g": self._generation},
            )
            conn.execute(
                text("INSERT INTO board_cache (key, generation, payload) VALUES (:k, :g, :p)"),
                {"k": digest, "g": self._generation, "p": payload},
            )

    def _build(
        self, bench: BenchmarkMetadata, filters: LeaderboardFilter | None, metric: str | None
    ) -> Leaderboard:
        """Read, select and aggregate with the cyclic GC paused: the cold build makes tens of
        thousands of cycle-free objects, and a full collection among them would walk every live
        object of the process (the catalog alone: ~0.2 s)."""
        from emboard.leaderboard.entries import gc_paused

        with gc_paused():
            board = self._prepare(bench, metric).leaderboard(filters, training=self._training)
        release_free_heap()
        return board

    def _prepare(self, bench: BenchmarkMetadata, metric: str | None) -> PreparedBenchmark:
        """The benchmark's selected long table for ``metric`` (cached; call under the lock)."""
        from emboard.leaderboard.engine import prepare_benchmark
        from emboard.leaderboard.training import TrainingData
        from emboard.store.queries import leaderboard_columns

        prepared = self._prepared.get((bench.name, metric))
        if prepared is not None:
            if metric is not None:  # most recently used: last to go
                self._prepared[(bench.name, metric)] = self._prepared.pop((bench.name, metric))
            return prepared
        models = self.models()
        if self._training is None:
            self._training = TrainingData(self.catalog.tasks, models)
        names = [t.name for t in bench.tasks]
        for name in names:
            if name not in self.catalog.tasks:
                raise TaskDefinitionError(f"Benchmark {bench.name}: unknown task {name!r}")
        with self.store.engine.connect() as conn:
            rows = leaderboard_columns(conn, _with_parts(names, self.catalog), metric)
        if self.registered_only:  # mteb loads only results of registry models
            rows = rows.where_models(self.catalog.models)
        prepared = prepare_benchmark(
            rows, bench, self.catalog.tasks, models, training=self._training
        )
        self._prepared[(bench.name, metric)] = prepared
        others = [k for k in self._prepared if k[1] is not None]
        for stale in others[: max(0, len(others) - self.max_prepared)]:
            del self._prepared[stale]
        return prepared


def table_cells(board: Leaderboard) -> int:
    """Cells of a leaderboard's tables (its size in memory is about 30 bytes a cell)."""
    tables = (board.summary, board.per_task, board.per_language)
    return sum(len(t.rows) * len(t.columns) for t in tables if t is not None)


def _cache_key(key: tuple[Any, ...], registered_only: bool) -> str:
    return hashlib.sha256(repr((*key, registered_only)).encode()).hexdigest()


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def encode_leaderboard(board: Leaderboard) -> bytes:
    """A leaderboard as JSON bytes (what ``board_cache`` keeps)."""
    import orjson

    def table(t: Any) -> Any:
        return None if t is None else {f.name: getattr(t, f.name) for f in fields(t)}

    return orjson.dumps(
        {
            "benchmark": board.benchmark,
            "show_zero_shot": board.show_zero_shot,
            "summary": table(board.summary),
            "per_task": table(board.per_task),
            "per_language": table(board.per_language),
        }
    )


def decode_leaderboard(payload: bytes) -> Leaderboard:
    """The inverse of :func:`encode_leaderboard`."""
    import orjson

    from emboard.leaderboard.tables import Leaderboard, PerLanguageTable, PerTaskTable, SummaryTable

    data = orjson.loads(payload)

    def table(cls: Any, raw: Any) -> Any:
        return None if raw is None else cls(**{k: _tuples(v) for k, v in raw.items()})

    return Leaderboard(
        benchmark=data["benchmark"],
        summary=table(SummaryTable, data["summary"]),
        per_task=table(PerTaskTable, data["per_task"]),
        per_language=table(PerLanguageTable, data["per_language"]),
        show_zero_shot=data["show_zero_shot"],
    )


def _with_parts(names: list[str], catalog: Catalog) -> list[str]:
    """Task names plus the parts of aggregate tasks (their scores are combined from parts)."""
    out = list(names)
    for name in names:
        out.extend(catalog.tasks[name].aggregated_tasks or ())
    return out
