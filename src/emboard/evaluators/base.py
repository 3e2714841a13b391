"""The contract between the runner and the evaluators.

An evaluator turns one (task, split, subset) of data plus an ``Embed`` function into a
``SubsetResult``. It never loads a model or reads files: the runner hands it ``embed``, which
encodes each unique (text, prompt) once per run, in length-sorted batches, and validates the
output. Scoring itself lives in pure functions under ``evaluators/metrics``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from emboard.types import FloatArray, JSONValue, PromptType, ScoreDict

SimilarityName = Literal["cosine", "dot", "euclidean", "manhattan"]


class Embed(Protocol):
    """Encode texts for the current task; returns float32 ``[len(texts), dim]``."""

    def __call__(
        self, texts: Sequence[str], prompt_type: PromptType | None = None
    ) -> FloatArray: ...


@dataclass(slots=True)
class EvalContext:
    """Everything about the current evaluation that is not data.

    ``rng`` is the task's ``random.Random(seed)`` stream (MTEB's ``rng_state``). It is shared by
    all splits and subsets of one task run, in the order they are evaluated, exactly as MTEB's
    task instance keeps it; evaluators that draw from it must draw the same numbers MTEB draws.
    """

    task_name: str
    task_type: str
    split: str
    subset: str
    params: Mapping[str, JSONValue]
    similarity: SimilarityName = "cosine"
    seed: int = 42
    rng: random.Random = field(default_factory=lambda: random.Random(42))
    np_rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(42))
    """MTEB's task-level ``np_rng`` (``numpy.random.default_rng(seed)``), shared like ``rng``."""


@dataclass(slots=True)
class SubsetResult:
    """Scores of one (split, subset) and the per-item outcomes they were computed from.

    ``scores`` holds every metric under MTEB's key names (without ``main_score``, ``hf_subset``
    and ``languages``, which the runner adds). ``outcomes`` holds per-item arrays (per query,
    pair, item, experiment, bootstrap draw), kept for confidence intervals and significance tests.
    """

    scores: ScoreDict
    outcomes: dict[str, NDArray[np.float64]] = field(default_factory=dict)


DataT = TypeVar("DataT", contravariant=True)


class Evaluator(Protocol, Generic[DataT]):
    """One evaluator class per task type (or protocol variant)."""

    def evaluate(self, data: DataT, embed: Embed, ctx: EvalContext) -> SubsetResult: ...
