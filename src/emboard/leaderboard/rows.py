"""The leaderboard engine's input: one row per (model, revision, task, split, subset).

The store produces these rows for a benchmark's tasks (any metric, the main score by default);
the engine applies MTEB's rules (revision choice, missing subsets, incomplete tasks, means, Borda)
to them. Nothing here knows where the rows came from.

A task result without any score entry still takes part in mteb's revision choice (and, if
chosen, is all null): pass it as one row with split ``""`` and score None. Rows of one result
are best kept adjacent (the engine hashes only the first of each run).
"""

from __future__ import annotations

from typing import NamedTuple


class ResultRow(NamedTuple):
    """One score of one (split, subset) of one task result of one model revision.

    A named tuple: the store builds tens of thousands per leaderboard, and a tuple is built
    several times faster than a frozen dataclass.
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
    """Tie-breaker between copies of one result from several sources (lower wins)."""
    experiment: str | None = None
    """MTEB's experiment name (``experiments/<name>/`` results); None for the default run.
    Results of different experiments never compete in the revision choice."""
    variant: str | None = None
    """MTEB's ``_experiment_id``: the experiment's *meaningful* kwargs serialised (None or ""
    for the default run). Rows with the same variant share one table row, so an experiment
    whose kwargs are all empty (``model_kwargs={}``) pools with the default run, as in mteb."""
