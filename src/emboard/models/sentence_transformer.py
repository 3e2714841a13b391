"""Adapter for sentence-transformers models (Hub id or local folder)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from emboard.models.prompts import resolve_prompt
from emboard.models.protocol import EncodeRequest
from emboard.tasks.metadata import ModelMeta
from emboard.types import PromptType

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_PROMPT_TYPE_KEYS = {"query", "document", "passage"}


class SentenceTransformerEncoder:
    """Encodes with ``SentenceTransformer.encode_query`` / ``encode_document`` / ``encode``."""

    def __init__(
        self,
        model: SentenceTransformer,
        meta: ModelMeta,
        prompts: dict[str, str] | None = None,
    ) -> None:
        self.model = model
        self.meta = meta
        builtin = {k: v for k, v in (model.prompts or {}).items() if v is not None}
        self.prompts: dict[str, str] = {**builtin, **(prompts or {})}
        self.distinguishes_prompt_types = bool(_PROMPT_TYPE_KEYS & set(self.prompts)) or any(
            type(m).__name__ == "Router" for m in model.modules()
        )

    def prompt_for(self, request: EncodeRequest) -> str | None:
        """The prompt MTEB's sentence-transformers wrapper would pass for this request."""
        return resolve_prompt(self.prompts, request)

    def encode(
        self,
        texts: Sequence[str],
        *,
        prompt: str | None,
        prompt_type: PromptType | None,
        batch_size: int,
    ) -> NDArray[np.floating]:
        """Embeddings in input order (sentence-transformers sorts batches by length itself)."""
        fn: Any = self.model.encode
        if prompt_type is PromptType.query:
            fn = self.model.encode_query
        elif prompt_type is PromptType.document:
            fn = self.model.encode_document
        out = fn(
            list(texts),
            prompt=prompt,
            batch_size=batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(out)


def describe(model: SentenceTransformer) -> dict[str, Any]:
    """Metadata read off a loaded model: parameters, dimension, max tokens, similarity."""
    n_params = sum(p.numel() for p in model.parameters())
    return {
        "n_parameters": int(n_params),
        "embed_dim": (
            model.get_embedding_dimension()
            if hasattr(model, "get_embedding_dimension")
            else model.get_sentence_embedding_dimension()
        ),
        "max_tokens": float(model.max_seq_length) if model.max_seq_length else None,
        "similarity_fn_name": str(model.similarity_fn_name or "cosine"),
        "framework": ["Sentence Transformers", "PyTorch"],
        "memory_usage_mb": round(n_params * 4 / 1024**2, 1),
    }
