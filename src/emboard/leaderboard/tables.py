"""The leaderboard's tables: columns in MTEB's order, raw (unscaled) values, None for null."""

from __future__ import annotations

from dataclasses import dataclass

Value = float | int | str | None


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of values under named columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]

    def column(self, name: str) -> list[Value]:
        """One column's values, top to bottom."""
        j = self.columns.index(name)
        return [row[j] for row in self.rows]

    def to_records(self) -> list[dict[str, Value]]:
        """One ``{column: value}`` dict per row."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def by_model(self) -> dict[tuple[str, str], dict[str, Value]]:
        """Records keyed by ``(Model, experiment id)`` ("" for the default run)."""
        out: dict[tuple[str, str], dict[str, Value]] = {}
        for rec in self.to_records():
            out[(str(rec["Model"]), str(rec.get(EXPERIMENT_COLUMN) or ""))] = rec
        return out

    def __len__(self) -> int:
        return len(self.rows)


EXPERIMENT_COLUMN = "_experiment_id"
"""MTEB's column telling experiment variants of one model apart ("" for the default run)."""


@dataclass(frozen=True, slots=True)
class SummaryTable(Table):
    """MTEB's summary: ``rank | Model | _experiment_id | meta | means | type means | …``."""

    rank_column: str = "Rank (Borda)"
    primary_metric_column: str = "Mean (Task)"
    task_type_mean_column: str | None = "Mean (TaskType)"
    mean_public_column: str | None = None
    mean_private_column: str | None = None
    type_columns: tuple[str, ...] = ()
    task_columns: tuple[str, ...] = ()
    """The tasks the means are over (the per-task table's columns)."""

    @property
    def is_empty(self) -> bool:
        """True when no model has a score (MTEB's "No results" table)."""
        return not self.rows


@dataclass(frozen=True, slots=True)
class PerTaskTable(Table):
    """``Model | _experiment_id | <task>…``: per-task means, incomplete ones null, Borda order."""


@dataclass(frozen=True, slots=True)
class PerLanguageTable(Table):
    """``Model | <language>…``: mean score per language, Borda order over languages."""


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """The three tables of one benchmark (per-language None when it has no language view)."""

    benchmark: str
    summary: SummaryTable
    per_task: PerTaskTable
    per_language: PerLanguageTable | None
    show_zero_shot: bool = True
