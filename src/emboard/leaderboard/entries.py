"""The long table as columns: one position per (variant, task, split, subset) entry.

Strings (models, variants, tasks, splits, subsets, language lists) are held once in vocabularies;
the entries are parallel numpy arrays of indices into them plus the score (NaN for MTEB's null).
Entries keep the order of MTEB's long table (first-seen task results, their rows, then the
null-padded subsets), so sums over them add in the same order as mteb's.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Variant = tuple[str, str]
"""(model name, experiment name; "" for the default run)."""

_H = TypeVar("_H", bound=Hashable)


def factorize(values: Sequence[_H]) -> tuple[list[_H], IntArray]:
    """(distinct values in first-seen order, each value's index among them)."""
    uniq = list(dict.fromkeys(values))
    index = {v: i for i, v in enumerate(uniq)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return uniq, codes


def first_positions(codes: IntArray, n: int) -> IntArray:
    """Position of each code's first occurrence (codes numbered in first-seen order, 0..n-1)."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    first = np.flatnonzero(codes > before)
    return first[:n]


@dataclass(frozen=True, slots=True, eq=False)
class EntryColumns:
    """The benchmark's selected, null-padded entries (see the module docstring)."""

    models: tuple[str, ...]
    variants: tuple[Variant, ...]
    tasks: tuple[str, ...]
    """The benchmark's tasks, in benchmark order (entries need not cover them all)."""
    splits: tuple[str, ...]
    subsets: tuple[str, ...]
    langsets: tuple[tuple[str, ...], ...]
    """Distinct language lists of the entries (MTEB's per-entry ``languages``)."""
    variant: IntArray
    task: IntArray
    split: IntArray
    subset: IntArray
    langset: IntArray
    score: FloatArray
    variant_model: IntArray
    """Model index of each variant."""
    model: IntArray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", self.variant_model[self.variant])

    def __len__(self) -> int:
        return len(self.score)

    def take(self, keep: BoolArray | IntArray) -> EntryColumns:
        """The entries at ``keep`` (a mask or sorted positions), vocabularies unchanged."""
        return EntryColumns(
            models=self.models,
            variants=self.variants,
            tasks=self.tasks,
            splits=self.splits,
            subsets=self.subsets,
            langsets=self.langsets,
            variant=self.variant[keep],
            task=self.task[keep],
            split=self.split[keep],
            subset=self.subset[keep],
            langset=self.langset[keep],
            score=self.score[keep],
            variant_model=self.variant_model,
        )

    def language_pairs(self) -> tuple[IntArray, list[str], IntArray]:
        """(entry position, languages vocabulary, language index): one pair per listed language,
        in entry order then list order (a language listed twice counts twice)."""
        languages, flat = factorize([lang for ls in self.langsets for lang in ls])
        lengths = np.array([len(ls) for ls in self.langsets], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths
        counts = lengths[self.langset] if len(lengths) else np.zeros(0, dtype=np.int64)
        entry = np.repeat(np.arange(len(self), dtype=np.int64), counts)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        within = np.arange(len(entry), dtype=np.int64) - starts
        lang = flat[offsets[self.langset[entry]] + within] if len(entry) else entry
        return entry, languages, lang
