"""The run's embedding service: each unique (text, prompt) is encoded once per run.

Evaluators ask for embeddings through ``Embedder.for_task(...)``; the embedder resolves the
model's prompt for the request, looks every text up in its cache (:mod:`emboard.models.
embedding_cache`: in memory, or on disk), encodes only the missing unique texts (longest first,
so batches hold texts of similar length), checks the output (shape, finite values) and returns
float32 rows in the order asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from emboard.errors import ModelError
from emboard.heap import release_free_heap
from emboard.models.embedding_cache import EmbeddingCache, EmbeddingTable, text_key
from emboard.models.protocol import Encoder, EncodeRequest
from emboard.types import FloatArray, PromptType

logger = logging.getLogger(__name__)


@dataclass
class EmbedStats:
    """How many texts were asked for and how many were actually encoded."""

    requested: int = 0
    encoded: int = 0


class Embedder:
    """Encodes through one model with a run-wide cache.

    ``cache`` defaults to one in memory, which is cleared whenever it holds more than
    ``max_cache_bytes`` (a cache on disk keeps nothing in the process).
    """

    def __init__(
        self,
        encoder: Encoder,
        *,
        batch_size: int = 32,
        block_size: int = 4096,
        max_cache_bytes: int = 4 * 1024**3,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.encoder = encoder
        self.batch_size = batch_size
        self.block_size = max(batch_size, block_size - block_size % batch_size)
        self.max_cache_bytes = max_cache_bytes
        self.cache = cache or EmbeddingCache(encoder.meta)
        self.stats = EmbedStats()
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
        self,
        table: EmbeddingTable,
        missing: dict[bytes, str],
        prompt: str | None,
        ptype: PromptType | None,
    ) -> None:
        order = sorted(missing.items(), key=lambda kv: len(kv[1]), reverse=True)
        for start in range(0, len(order), self.block_size):
            block = order[start : start + self.block_size]
            emb = self._encode_block([text for _, text in block], prompt, ptype)
            table.add([key for key, _ in block], emb)
            self.stats.encoded += len(block)
            release_free_heap()  # what the block's activations left free in the heap

    def embed(self, texts: Sequence[str], request: EncodeRequest) -> FloatArray:
        """Embeddings of ``texts`` for ``request``, from the cache where possible."""
        if self.cache.nbytes > self.max_cache_bytes:
            logger.info("Embedding cache over %d bytes: cleared", self.max_cache_bytes)
            self.cache.clear()
        prompt = self.encoder.prompt_for(request)
        ptype = request.prompt_type if self.encoder.distinguishes_prompt_types else None
        table = self.cache.table(prompt, ptype.value if ptype else None)
        self.stats.requested += len(texts)
        keys = [text_key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in table.index}
        if missing:
            self._fill(table, missing, prompt, request.prompt_type)
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        idx = np.fromiter((table.index[k] for k in keys), dtype=np.int64, count=len(keys))
        return table.take(idx)

    def for_task(
        self, task_name: str, task_type: str, task_prompt: Callable[[PromptType | None], str | None]
    ) -> Callable[[Sequence[str], PromptType | None], FloatArray]:
        """An ``Embed`` function bound to one task."""

        def embed(texts: Sequence[str], prompt_type: PromptType | None = None) -> FloatArray:
            request = EncodeRequest(task_name, task_type, prompt_type, task_prompt(prompt_type))
            return self.embed(texts, request)

        return embed
