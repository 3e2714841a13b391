"""The long table as columns: one position per (variant, task, split, subset) entry.

Strings (models, variants, tasks, splits, subsets, language lists) are held once in vocabularies;
the entries are parallel numpy arrays of indices into them plus the score (NaN for MTEB's null).
Entries keep the order of the long table (first-seen task results, each with its rows in input
order, then its null-padded cells), and sums over them (``np.bincount``) add in that order, as a
row-by-row loop would.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence, Sized
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count, groupby
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
Codes = NDArray[np.int32]
"""Stored indices of the entry columns (half the memory of int64; widen before combining)."""
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Variant = tuple[str, str]
"""(model name, experiment name; "" for the default run)."""

_H = TypeVar("_H", bound=Hashable)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around bulk tuple building: grouping a million rows
    makes millions of short-lived, cycle-free tuples, and a full collection triggered among
    them walks every live object (half a second with a million rows loaded)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def factorize(values: Iterable[_H], n: int | None = None) -> tuple[list[_H], IntArray]:
    """(distinct values in first-seen order, each value's index among them); ``n`` is the
    number of values when ``values`` is not a sequence."""
    index: defaultdict[_H, int] = defaultdict(count().__next__)
    size = len(values) if n is None and isinstance(values, Sized) else n
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=size or -1)
    return list(index), codes


def factorize_runs(values: Iterable[_H]) -> tuple[list[_H], IntArray]:
    """:func:`factorize` for values that come in runs of equal ones (a result's rows are
    adjacent): only the first value of each run is hashed."""
    runs = [(key, len(list(run))) for key, run in groupby(values)]
    if not runs:
        return [], np.zeros(0, dtype=np.int64)
    heads, lengths = zip(*runs, strict=True)
    uniq, head_codes = factorize(heads)
    return uniq, np.repeat(head_codes, np.array(lengths, dtype=np.int64))


class Vocabulary(Generic[_H]):
    """Values → indices in order of addition."""

    def __init__(self) -> None:
        self.index: defaultdict[_H, int] = defaultdict(count().__next__)
        """Value → index; looking a value up adds it."""

    def __len__(self) -> int:
        return len(self.index)

    def add(self, value: _H) -> int:
        return self.index[value]

    def add_all(self, values: Iterable[_H]) -> list[int]:
        """The indices of ``values`` (new ones added, in order)."""
        return list(map(self.index.__getitem__, values))

    def encode(self, values: Sequence[_H]) -> IntArray:
        """The indices of ``values`` (new ones added, in order)."""
        return np.fromiter(map(self.index.__getitem__, values), dtype=np.int64, count=len(values))

    def values(self) -> tuple[_H, ...]:
        return tuple(self.index)


def first_positions(codes: IntArray, n: int) -> IntArray:
    """Position of each code's first occurrence (codes numbered in first-seen order, 0..n-1)."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    first = np.flatnonzero(codes > before)
    return first[:n]


def first_seen(codes: IntArray, n: int) -> IntArray:
    """The distinct codes (of 0..n-1) in order of first appearance (O(len), no sort of it)."""
    first = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    present = np.flatnonzero(first < len(codes))
    return present[np.argsort(first[present])]


@dataclass(frozen=True, slots=True, eq=False)
class LanguageSets:
    """The distinct language lists of the entries, flattened once for vectorised lookups."""

    sets: tuple[tuple[str, ...], ...]
    languages: tuple[str, ...]
    """Every listed language (``eng-Latn``), in first-listed order."""
    flat: IntArray
    """The lists' languages concatenated (indices into ``languages``)."""
    owner: IntArray
    """The list of each ``flat`` item."""
    offsets: IntArray
    lengths: IntArray
    iso: IntArray
    """Per language: index of its ISO 639-3 code (the part before ``-``) in ``codes``."""
    codes: tuple[str, ...]

    @staticmethod
    def of(sets: tuple[tuple[str, ...], ...]) -> LanguageSets:
        languages, flat = factorize([lang for ls in sets for lang in ls])
        lengths = np.array([len(ls) for ls in sets], dtype=np.int64)
        codes, iso = factorize([lang.split("-")[0] for lang in languages])
        return LanguageSets(
            sets=sets,
            languages=tuple(languages),
            flat=flat,
            owner=np.repeat(np.arange(len(sets), dtype=np.int64), lengths),
            offsets=np.cumsum(lengths) - lengths,
            lengths=lengths,
            iso=iso,
            codes=tuple(codes),
        )

    def speaking(self, codes: frozenset[str]) -> BoolArray:
        """Per list: one of its languages has one of these ISO codes."""
        chosen = np.array([c in codes for c in self.codes], dtype=bool)
        out = np.zeros(len(self.sets), dtype=bool)
        if len(self.flat):
            out[self.owner[chosen[self.iso[self.flat]]]] = True
        return out


@dataclass(frozen=True, slots=True, eq=False)
class EntryColumns:
    """The benchmark's selected, null-padded entries (see the module docstring)."""

    models: tuple[str, ...]
    variants: tuple[Variant, ...]
    tasks: tuple[str, ...]
    """The benchmark's tasks, in benchmark order (entries need not cover them all)."""
    splits: tuple[str, ...]
    subsets: tuple[str, ...]
    langsets: LanguageSets
    """Distinct language lists of the entries (MTEB's per-entry ``languages``)."""
    variant: Codes
    task: Codes
    split: Codes
    subset: Codes
    langset: Codes
    score: FloatArray
    variant_model: Codes
    """Model index of each variant."""
    shared: BoolArray
    """Entries whose (variant, task, split, subset) cell may repeat: their variant has several
    chosen results of the task (pooled experiments), or the result repeats a row. Cells of the
    other entries are distinct, so counting them needs no dedupe."""
    model: Codes = field(init=False)

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
            shared=self.shared[keep],
        )

    def language_pairs(self, entries: IntArray) -> tuple[IntArray, IntArray]:
        """(entry position, language index): one pair per language listed by each of
        ``entries`` (ascending positions), in entry then list order (a language listed twice
        counts twice)."""
        ls = self.langsets
        sets = self.langset[entries]
        counts = ls.lengths[sets]
        owner, within = spread(counts)
        pair_entry = entries[owner]
        return pair_entry, ls.flat[ls.offsets[sets[owner]] + within]


def spread(lengths: IntArray) -> tuple[IntArray, IntArray]:
    """(owner, position within owner) for ``lengths[i]`` consecutive items per owner ``i``."""
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    pos = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, pos
