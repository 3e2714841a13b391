"""Adapter for model2vec static embedding models (e.g. minishlab/potion-base-2M).

MTEB's published scores for these models come from model2vec's own encoder, which drops
``[UNK]`` tokens and cuts texts at 512 tokens; sentence-transformers' ``StaticEmbedding`` does
neither, so these models are loaded with model2vec.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from emboard.models.protocol import EncodeRequest
from emboard.tasks.metadata import ModelMeta
from emboard.types import PromptType

if TYPE_CHECKING:
    from model2vec import StaticModel


class StaticModelEncoder:
    """Encodes with ``model2vec.StaticModel.encode``; no prompts."""

    distinguishes_prompt_types = False

    def __init__(self, model: StaticModel, meta: ModelMeta) -> None:
        self.model = model
        self.meta = meta

    def prompt_for(self, request: EncodeRequest) -> str | None:
        """Static models take no prompt."""
        return None

    def encode(
        self,
        texts: Sequence[str],
        *,
        prompt: str | None,
        prompt_type: PromptType | None,
        batch_size: int,
    ) -> NDArray[np.floating]:
        """Embeddings in input order."""
        out: NDArray[np.floating] = self.model.encode(list(texts), show_progress_bar=False)
        return out.astype(np.float32)


def describe(model: StaticModel) -> dict[str, Any]:
    """Metadata read off a loaded static model."""
    vocab, dim = model.embedding.shape
    return {
        "n_parameters": int(vocab * dim),
        "n_embedding_parameters": int(vocab * dim),
        "embed_dim": int(dim),
        "max_tokens": float("inf"),
        "similarity_fn_name": "cosine",
        "framework": ["NumPy", "Sentence Transformers"],
        "memory_usage_mb": round(vocab * dim * 4 / 1024**2, 1),
    }
