"""What every request handler shares: the store, the catalog, the board and a response cache."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

if TYPE_CHECKING:
    from emboard.board import Board
    from emboard.store.db import Store
    from emboard.tasks.catalog import Catalog

CACHE_ENTRIES = 512
"""Encoded responses kept (per store generation; an ingest empties the cache)..."""
CACHE_BYTES = 64 * 2**20
"""... and their total size (plain and gzipped bodies), so that many large tables cannot fill
the server's memory."""
GENERATION_TTL = 1.0
"""Seconds a read of the store's generation is trusted: a finished ingest shows within this."""

Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Encoded:
    """A response body, plain and gzipped."""

    body: bytes
    gzipped: bytes | None
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Ready:
    """An encoded response with its raw ASGI headers, ready to send without any framework."""

    etag: str
    plain: tuple[bytes, Headers]
    gzipped: tuple[bytes, Headers] | None
    not_modified: Headers

    @property
    def size(self) -> int:
        """Bytes held: the plain and gzipped bodies."""
        return len(self.plain[0]) + (len(self.gzipped[0]) if self.gzipped else 0)

    def pick(self, accepts_gzip: bool) -> tuple[bytes, Headers]:
        """The body and headers for a client that does (or does not) accept gzip."""
        if accepts_gzip and self.gzipped is not None:
            return self.gzipped
        return self.plain


@dataclass
class ResponseCache:
    """A small LRU of ready responses keyed by (generation, request key)."""

    size: int = CACHE_ENTRIES
    max_bytes: int = CACHE_BYTES
    _items: OrderedDict[tuple[int, str], Ready] = field(default_factory=OrderedDict)
    _bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple[int, str]) -> Ready | None:
        """The cached response, refreshed as most recent."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple[int, str], value: Ready) -> None:
        """Keep ``value``; entries of older generations go first, then the least recent."""
        if value.size > self.max_bytes:
            return
        with self._lock:
            stale = [k for k in self._items if k[0] != key[0]]
            if key in self._items:
                stale.append(key)
            for k in stale:
                self._bytes -= self._items.pop(k).size
            self._items[key] = value
            self._bytes += value.size
            while len(self._items) > self.size or self._bytes > self.max_bytes:
                self._bytes -= self._items.popitem(last=False)[1].size


@dataclass
class ApiState:
    """Shared by all requests of one app."""

    store: Store
    catalog: Catalog
    board: Board
    cache: ResponseCache = field(default_factory=ResponseCache)
    metrics: dict[tuple[int, str], dict[str, list[str]]] = field(default_factory=dict)
    """(generation, benchmark) → task → stored metric names."""
    generation_ttl: float = GENERATION_TTL
    _generation: tuple[float, int] | None = None

    def generation(self) -> int:
        """The store's generation (the last ingest that changed data), read at most once per
        :data:`GENERATION_TTL` seconds so that a cached response costs no database query."""
        now = time.monotonic()
        seen = self._generation
        if seen is not None and now - seen[0] < self.generation_ttl:
            return seen[1]
        value = self.board.generation()
        self._generation = (now, value)
        return value


def get_state(request: Request) -> ApiState:
    """The app's :class:`ApiState` (a FastAPI dependency)."""
    state = request.app.state.emboard
    if not isinstance(state, ApiState):  # pragma: no cover - set by create_app
        raise RuntimeError("create_app did not set the API state")
    return state
