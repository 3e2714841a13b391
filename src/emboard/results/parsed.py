"""A result file as emboard reads it: one task, one model revision, entries per (split, subset).

This is what every reader yields (current-schema and legacy JSON files, model cards, emboard's own
runs) and what the store keeps. Results carry task names, not task objects: task facts needed to
read old files come through the :class:`TaskLookup` protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ResultSchema = Literal["current", "legacy", "model-card"]


@dataclass(frozen=True, slots=True)
class ScoreEntry:
    """The scores of one (split, subset) of a task result."""

    split: str
    subset: str
    languages: tuple[str, ...]
    main_score: float | None
    metrics: dict[str, float]
    """Every numeric scalar of the entry except ``main_score`` (bools excluded), by MTEB key."""
    details: dict[str, Any] = field(default_factory=dict)
    """Everything else the entry holds (lists, dicts, strings such as a per-entry mteb_version)."""

    @property
    def n_values(self) -> int:
        """How many score values the entry holds (its metrics, plus the main score if set)."""
        return len(self.metrics) + (self.main_score is not None)


@dataclass(frozen=True, slots=True)
class ParsedResult:
    """One ``{Task}.json`` (or its equivalent), normalised to MTEB's current schema."""

    task_name: str
    dataset_revision: str | None
    mteb_version: str | None
    entries: tuple[ScoreEntry, ...]
    schema: ResultSchema = "current"
    evaluation_time: float | None = None
    kg_co2_emissions: float | None = None
    date: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Top-level keys beyond the schema's (kept, never dropped)."""

    @property
    def n_values(self) -> int:
        """Score values over all entries."""
        return sum(e.n_values for e in self.entries)


class TaskLookup(Protocol):
    """The task facts a reader needs to convert old files as mteb does (names, main scores)."""

    def resolve(self, name: str) -> str | None:
        """The registry's name for ``name`` (renames and case applied), or None if unknown."""
        ...

    def main_score(self, name: str) -> str | None:
        """The task's current main-score key, or None if the task is unknown."""
        ...

    def task_type(self, name: str) -> str | None:
        """The task's type (``STS``, ``PairClassification``, …), or None if unknown."""
        ...

    def languages(self, name: str, subset: str) -> tuple[str, ...]:
        """The ``iso639-3-Script`` codes of one subset of the task (empty if unknown)."""
        ...
