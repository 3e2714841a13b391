"""MTEB's result file schema (current, ≥1.11), as emboard writes and reads it.

Results carry task names, not task objects: this module imports no other stage.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from emboard.errors import ResultFormatError

SUBSET_KEYS = ("hf_subset", "languages", "main_score")


class TaskResult(BaseModel):
    """One task's scores for one model revision: ``{Task}.json``."""

    model_config = ConfigDict(extra="allow")

    dataset_revision: str
    task_name: str
    mteb_version: str | None
    scores: dict[str, list[dict[str, Any]]]
    evaluation_time: float | None
    kg_co2_emissions: float | None = None
    date: float | None = None
    evaluation_phases: list[dict[str, Any]] | None = None
    emboard_version: str | None = None
    """Set by emboard; ignored by mteb's loader."""

    @field_validator("scores")
    @classmethod
    def _check_subsets(
        cls, value: dict[str, list[dict[str, Any]]]
    ) -> dict[str, list[dict[str, Any]]]:
        for split, entries in value.items():
            for i, entry in enumerate(entries):
                missing = [k for k in SUBSET_KEYS if k not in entry]
                if missing:
                    raise ValueError(f"scores.{split}[{i}] lacks {', '.join(missing)}")
                if not isinstance(entry["hf_subset"], str):
                    raise ValueError(f"scores.{split}[{i}].hf_subset must be a string")
                if not isinstance(entry["languages"], list):
                    raise ValueError(f"scores.{split}[{i}].languages must be a list")
        return value

    def entry(self, split: str, subset: str) -> dict[str, Any] | None:
        """The score dict of one (split, subset), or None."""
        for entry in self.scores.get(split, []):
            if entry["hf_subset"] == subset:
                return entry
        return None

    def set_entry(self, split: str, entry: dict[str, Any]) -> None:
        """Add or replace the score dict of ``(split, entry["hf_subset"])``."""
        entries = self.scores.setdefault(split, [])
        for i, old in enumerate(entries):
            if old["hf_subset"] == entry["hf_subset"]:
                entries[i] = entry
                return
        entries.append(entry)

    def has(self, split: str, subset: str) -> bool:
        """True when (split, subset) has a main score."""
        entry = self.entry(split, subset)
        return entry is not None and entry.get("main_score") is not None

    def main_score(
        self, splits: list[str] | None = None, subsets: list[str] | None = None
    ) -> float:
        """MTEB's task score: the plain mean of ``main_score`` over (split, subset) entries."""
        values = [
            float(e["main_score"])
            for split, entries in self.scores.items()
            if splits is None or split in splits
            for e in entries
            if (subsets is None or e["hf_subset"] in subsets) and e["main_score"] is not None
        ]
        if not values:
            raise ResultFormatError(f"{self.task_name}: no main score in the selected entries")
        return math.fsum(values) / len(values)
