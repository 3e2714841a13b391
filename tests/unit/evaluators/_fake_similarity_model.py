"""A fake encoder with a model similarity function, for evaluators that call
``model.similarity`` / ``model.similarity_pairwise`` (STS, pair classification, summarization,
bitext mining). mteb's side uses mteb's own similarity functions; emboard's side gets the same
name through ``EvalContext.similarity``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tests.unit.evaluators._fake_mteb_model import FakeEncoder


class SimilarityEncoder(FakeEncoder):
    """Text → fixed float32 vector, plus MTEB's similarity functions for ``similarity``."""

    def __init__(
        self,
        texts: Sequence[str],
        dim: int = 16,
        seed: int = 0,
        similarity: str = "cosine",
        vectors: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(texts, dim=dim, seed=seed)
        for text, vector in (vectors or {}).items():
            self.table[text] = np.asarray(vector, dtype=np.float32)
        self.similarity_name = similarity

    def similarity(self, a: Any, b: Any) -> Any:
        from mteb import similarity_functions as sf

        fn = {"cosine": sf.cos_sim, "dot": sf.dot_score, "euclidean": sf.euclidean_sim}
        return fn[self.similarity_name](a, b)

    def similarity_pairwise(self, a: Any, b: Any) -> Any:
        from mteb import similarity_functions as sf

        fn = {
            "cosine": sf.pairwise_cos_sim,
            "dot": sf.pairwise_dot_score,
            "euclidean": sf.pairwise_euclidean_sim,
        }
        return fn[self.similarity_name](a, b)
