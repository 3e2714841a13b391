"""The score families of a pair of embeddings, computed as MTEB computes them.

One helper shared by STS and pair classification (MTEB repeats this block four times).
``cosine`` is ``1 - paired_cosine_distances`` (scikit-learn, float32 in → float32 maths): with
it, identical sentences get ±6e-8 noise instead of exact ties, which moves Spearman ranks, and
MTEB's numbers are computed this way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics.pairwise import (
    paired_cosine_distances,
    paired_euclidean_distances,
    paired_manhattan_distances,
)

from emboard.evaluators.metrics.similarity import similarity_pairwise
from emboard.types import FloatArray


@dataclass(frozen=True, slots=True)
class PairScores:
    """Per-pair scores; distances are positive (larger = less similar)."""

    similarity: FloatArray
    cosine: FloatArray
    manhattan: FloatArray
    euclidean: FloatArray
    dot: FloatArray


def pair_scores(emb1: FloatArray, emb2: FloatArray, similarity: str = "cosine") -> PairScores:
    """Every score family for aligned rows of ``emb1`` and ``emb2``."""
    dot = np.asarray([np.dot(a, b) for a, b in zip(emb1, emb2, strict=True)])
    return PairScores(
        similarity=similarity_pairwise(emb1, emb2, similarity),
        cosine=1 - paired_cosine_distances(emb1, emb2),
        manhattan=paired_manhattan_distances(emb1, emb2),
        euclidean=paired_euclidean_distances(emb1, emb2),
        dot=dot,
    )
