"""The run's embedding service: each unique (text, prompt) is encoded once per run.

Evaluators ask for embeddings through ``Embedder.for_task(...)``; the embedder resolves the
model's prompt for the request, looks every text up in its cache, encodes only the missing
unique texts (longest first, so batches hold texts of similar length), checks the output
(shape, finite values) and returns float32 rows in the order asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from emboard.errors import ModelError
from emboard.heap import release_free_heap
from emboard.models.protocol import Encoder, EncodeRequest
from emboard.types import FloatArray, PromptType

logger = logging.getLogger(__name__)

CacheKey = tuple[str | None, str | None]


@dataclass
class _Store:
    """Embeddings of one (prompt, prompt type), in the blocks they were encoded in.

    Blocks are never concatenated (that would hold the store twice while copying): a row is
    found by its global number, and ``take`` gathers rows block by block.
    """

    index: dict[str, int] = field(default_factory=dict)
    blocks: list[FloatArray] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def add(self, texts: list[str], emb: FloatArray) -> None:
        base = len(self.index)
        self.index.update({t: base + i for i, t in enumerate(texts)})
        self.starts.append(base)
        self.blocks.append(emb)

    def take(self, rows: NDArray[np.int64]) -> FloatArray:
        if len(self.blocks) == 1:
            return self.blocks[0][rows]
        out = np.empty((len(rows), self.blocks[0].shape[1]), dtype=np.float32)
        which = np.searchsorted(np.asarray(self.starts), rows, side="right") - 1
        for b in np.unique(which):
            sel = which == b
            out[sel] = self.blocks[b][rows[sel] - self.starts[b]]
        return out


@dataclass
class EmbedStats:
    """How many texts were asked for and how many were actually encoded."""

    requested: int = 0
    encoded: int = 0


class Embedder:
    """Encodes through one model with a run-wide cache bounded by ``max_cache_bytes``."""

    def __init__(
        self,
        encoder: Encoder,
        *,
        batch_size: int = 32,
        block_size: int = 4096,
        max_cache_bytes: int = 4 * 1024**3,
    ) -> None:
        self.encoder = encoder
        self.batch_size = batch_size
        self.block_size = max(batch_size, block_size - block_size % batch_size)
        self.max_cache_bytes = max_cache_bytes
        self.stats = EmbedStats()
        self._stores: dict[CacheKey, _Store] = {}
        self._cached_bytes = 0
        self._dim: int | None = None

    def _encode_block(
        self, texts: list[str], prompt: str | None, ptype: PromptType | None
    ) -> FloatArray:
        out = self.encoder.encode(
            texts, prompt=prompt, prompt_type=ptype, batch_size=self.batch_size
        )
        arr = np.asarray(out)
        if arr.ndim != 2 or arr.shape[0] != len(texts):
            raise ModelError(
                f"Model {self.encoder.meta.name} returned an array of shape {arr.shape} for "
                f"{len(texts)} texts; expected ({len(texts)}, dim)"
            )
        if self._dim is not None and arr.shape[1] != self._dim:
            raise ModelError(
                f"Model {self.encoder.meta.name} returned {arr.shape[1]}-dimensional embeddings "
                f"after {self._dim}-dimensional ones"
            )
        self._dim = int(arr.shape[1])
        arr32 = arr.astype(np.float32, copy=False)
        if not np.isfinite(arr32).all():
            bad = int(np.flatnonzero(~np.isfinite(arr32).all(axis=1))[0])
            raise ModelError(
                f"Model {self.encoder.meta.name} returned NaN or infinite values "
                f"(first for text {texts[bad][:80]!r})"
            )
        return arr32

    def _fill(
        self, store: _Store, missing: list[str], prompt: str | None, ptype: PromptType | None
    ) -> None:
        order = sorted(missing, key=len, reverse=True)
        for start in range(0, len(order), self.block_size):
            block = order[start : start + self.block_size]
            emb = self._encode_block(block, prompt, ptype)
            store.add(block, emb)
            self._cached_bytes += emb.nbytes
            self.stats.encoded += len(block)
            release_free_heap()  # what the block's activations left free in the heap

    def embed(self, texts: Sequence[str], request: EncodeRequest) -> FloatArray:
        """Embeddings of ``texts`` for ``request``, from the cache where possible."""
        if self._cached_bytes > self.max_cache_bytes:
            logger.info("Embedding cache over %d bytes: cleared", self.max_cache_bytes)
            self._stores.clear()
            self._cached_bytes = 0
        prompt = self.encoder.prompt_for(request)
        ptype = request.prompt_type if self.encoder.distinguishes_prompt_types else None
        key: CacheKey = (prompt, ptype.value if ptype else None)
        store = self._stores.setdefault(key, _Store())
        self.stats.requested += len(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in store.index))
        if missing:
            self._fill(store, missing, prompt, request.prompt_type)
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        idx = np.fromiter((store.index[t] for t in texts), dtype=np.int64, count=len(texts))
        return store.take(idx)

    def for_task(
        self, task_name: str, task_type: str, task_prompt: Callable[[PromptType | None], str | None]
    ) -> Callable[[Sequence[str], PromptType | None], FloatArray]:
        """An ``Embed`` function bound to one task."""

        def embed(texts: Sequence[str], prompt_type: PromptType | None = None) -> FloatArray:
            request = EncodeRequest(task_name, task_type, prompt_type, task_prompt(prompt_type))
            return self.embed(texts, request)

        return embed
