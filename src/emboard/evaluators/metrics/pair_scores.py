"""The score families of aligned pairs of embeddings, computed as MTEB 2.26.24 computes them.

One helper shared by STS and pair classification (MTEB repeats this block four times).
``cosine`` is ``1 - paired_cosine_distances`` (scikit-learn; float32 in → float32 maths): with
it, identical sentences get ±6e-8 noise instead of exact ties, which moves Spearman ranks and
threshold cut points, and MTEB's numbers are computed this way. ``dot`` is one ``np.dot`` per
row as MTEB does (a batched einsum sums in another order and rounds differently in float32).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics.pairwise import (
    paired_cosine_distances,
    paired_euclidean_distances,
    paired_manhattan_distances,
)

from emboard.errors import DataError
from emboard.evaluators.metrics.similarity import similarity_pairwise
from emboard.types import FloatArray


@dataclass(frozen=True, slots=True)
class PairScores:
    """Per-pair scores. ``manhattan`` and ``euclidean`` are distances (larger = less similar);
    the others are similarities (larger = more similar)."""

    similarity: FloatArray
    cosine: FloatArray
    manhattan: FloatArray
    euclidean: FloatArray
    dot: FloatArray


def pair_scores(emb1: FloatArray, emb2: FloatArray, similarity: str = "cosine") -> PairScores:
    """Every score family for row ``i`` of ``emb1`` against row ``i`` of ``emb2``.

    ``similarity`` is the model's similarity function name (MTEB's ``similarity_pairwise``).
    """
    if emb1.shape != emb2.shape:
        raise DataError(
            f"Pair embeddings differ in shape: sentence1 {emb1.shape}, sentence2 {emb2.shape}; "
            "expected one row per pair on both sides"
        )
    dot = np.asarray([np.dot(a, b) for a, b in zip(emb1, emb2, strict=True)], dtype=emb1.dtype)
    return PairScores(
        similarity=similarity_pairwise(emb1, emb2, similarity),
        cosine=1 - paired_cosine_distances(emb1, emb2),
        manhattan=paired_manhattan_distances(emb1, emb2),
        euclidean=paired_euclidean_distances(emb1, emb2),
        dot=dot,
    )
