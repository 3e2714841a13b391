"""Correlations as MTEB computes them (scipy)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import pearsonr, spearmanr


def pearson_spearman(
    gold: Sequence[float] | np.ndarray, pred: Sequence[float] | np.ndarray
) -> tuple[float, float]:
    """(Pearson r, Spearman rho) of predictions against gold scores."""
    return float(pearsonr(gold, pred)[0]), float(spearmanr(gold, pred)[0])
