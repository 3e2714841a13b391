"""The leaderboard engine's input: every stored (split, subset) score of a benchmark's tasks.

Two shapes of the same thing. :class:`ResultColumns` is what the store hands over: one
:class:`ResultMeta` per task result (a result file) and the score entries as numpy columns (their
result, their (split, subset, languages) key, the score), so a million entries need no Python
object each. :class:`ResultRow` is one entry as a named tuple, for tests and other callers;
:func:`columns_from_rows` turns rows into columns. The engine applies MTEB's rules (revision
choice, missing subsets, incomplete tasks, means, Borda) to the columns. Nothing here knows
where the rows came from.

A task result without any score entry still takes part in mteb's revision choice (and, if
chosen, is all null): give it a :class:`ResultMeta` and no entry (as rows: one row with split
``""`` and score None).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

EntryKey = tuple[str, str, tuple[str, ...]]
"""(split, subset, languages) of a score entry."""


class ResultMeta(NamedTuple):
    """One task result of one model revision (what its entries share)."""

    model_name: str
    revision: str | None
    task_name: str
    mteb_version: str | None
    source_rank: int = 0
    """Tie-breaker between copies of one result from several sources (lower wins)."""
    experiment: str | None = None
    """MTEB's experiment name (``experiments/<name>/`` results); None for the default run.
    Results of different experiments never compete in the revision choice."""
    variant: str | None = None
    """MTEB's ``_experiment_id``: the experiment's *meaningful* kwargs serialised (None or ""
    for the default run). Results with the same variant share one table row, so an experiment
    whose kwargs are all empty (``model_kwargs={}``) pools with the default run, as in mteb."""


class ResultRow(NamedTuple):
    """One score of one (split, subset) of one task result of one model revision.

    A named tuple: tests build thousands, and a tuple is built several times faster than a
    frozen dataclass. Fields as :class:`ResultMeta`'s, plus the entry's.
    """

    model_name: str
    revision: str | None
    task_name: str
    mteb_version: str | None
    split: str
    subset: str
    languages: tuple[str, ...]
    score: float | None
    """The main score (or the chosen metric); None when the entry lacks it."""
    source_rank: int = 0
    experiment: str | None = None
    variant: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class ResultColumns:
    """Task results and their score entries as columns (see the module docstring).

    Entries keep the order the caller gives them (a result's entries in file order); results
    are numbered in first-seen order, and a result's entries need not be adjacent.
    """

    results: Sequence[ResultMeta]
    keys: Sequence[EntryKey]
    """The entries' (split, subset, languages); a key may be listed more than once."""
    result: NDArray[np.int64]
    """Per entry: index of its result in ``results``."""
    key: NDArray[np.int64]
    """Per entry: index of its (split, subset, languages) in ``keys``."""
    score: NDArray[np.float64]
    """Per entry: the score, NaN for none (MTEB's null)."""

    def __len__(self) -> int:
        return len(self.score)

    def where_models(self, keep: Container[str]) -> ResultColumns:
        """Only the results (and entries) of models in ``keep``."""
        kept = np.array([r.model_name in keep for r in self.results], dtype=bool)
        if kept.all():
            return self
        renumber = np.cumsum(kept) - 1
        at = np.flatnonzero(kept[self.result])
        return ResultColumns(
            results=[r for r, k in zip(self.results, kept.tolist(), strict=True) if k],
            keys=self.keys,
            result=renumber[self.result[at]],
            key=self.key[at],
            score=self.score[at],
        )


_META = itemgetter(0, 1, 2, 3, 8, 9, 10)
_KEY = itemgetter(4, 5, 6)
_SCORE = itemgetter(7)


def columns_from_rows(rows: Iterable[ResultRow]) -> ResultColumns:
    """The rows as columns: a result per distinct (model … variant), in first-seen order."""
    from emboard.leaderboard.entries import factorize, factorize_runs, gc_paused

    rows = rows if isinstance(rows, Sequence) else list(rows)
    with gc_paused():
        metas, result = factorize_runs(map(_META, rows))
        keys, key = factorize(map(_KEY, rows), len(rows))
    return ResultColumns(
        results=[ResultMeta(*m) for m in metas],
        keys=keys,
        result=result,
        key=key,
        score=np.array(list(map(_SCORE, rows)), dtype=np.float64),
    )
