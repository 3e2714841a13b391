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
        """Embeddings in input order, encoded in batches of texts of about the same token count.

        sentence-transformers sorts the texts of one ``encode`` call by character count, so a
        batch pads every text to its longest one by tokens: on the 12 local MTEB tasks a quarter
        of all-MiniLM-L6-v2's positions were padding. Here the model's own tokenizer counts the
        tokens first (1.5 s for 46k texts) and each batch of ``batch_size`` texts of about the
        same count goes to ``encode`` on its own: 4% padding. A text's embedding does not depend
        on the other texts of its batch (padding is masked), apart from float rounding (~1e-7).
        """
        fn: Any = self.model.encode
        if prompt_type is PromptType.query:
            fn = self.model.encode_query
        elif prompt_type is PromptType.document:
            fn = self.model.encode_document

        def run(batch: list[str]) -> NDArray[np.floating]:
            out = fn(
                batch,
                prompt=prompt,
                batch_size=batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            return np.asarray(out)

        lengths = self._token_counts(texts) if len(texts) > batch_size else None
        if lengths is None:
            return run(list(texts))
        order = np.argsort(-lengths, kind="stable")
        result: NDArray[np.floating] | None = None
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            emb = run([texts[i] for i in rows])
            if result is None:
                result = np.empty((len(texts), *emb.shape[1:]), dtype=emb.dtype)
            result[rows] = emb
        assert result is not None
        return result

    def _token_counts(self, texts: Sequence[str]) -> NDArray[np.int64] | None:
        """Tokens per text by the model's own tokenizer, without padding and truncated as the
        model truncates; None if it has no text tokenizer (then the texts go to
        sentence-transformers as they are)."""
        try:
            limit = self.model.max_seq_length
            ids = self.model.tokenizer(
                list(texts),
                padding=False,
                truncation=bool(limit),
                max_length=limit or None,
                return_attention_mask=False,
                return_token_type_ids=False,
            )["input_ids"]
        except Exception:  # no Hugging Face text tokenizer (static or custom modules)
            return None
        return np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(texts))


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
