"""The leaderboard's filters, with the semantics of mteb's Gradio app (``leaderboard/app.py``).

Task filters pick the benchmark's tasks (a task passes a criterion when it has no such
metadata or shares a value with it); a language selection also keeps only the entries whose
languages include a selected one. Model filters keep registered models only (the app looks
every model up in the registry). Both act *before* the tables are built, so they change Borda
ranks as they do in the app; ``name_contains`` only hides rows afterwards (the table search box).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from emboard.leaderboard.entries import BoolArray, EntryColumns
from emboard.leaderboard.select import TaskSpec
from emboard.leaderboard.training import TrainingData
from emboard.tasks.metadata import ModelMeta, TaskMetadata

ZeroShotSetting = Literal["allow_all", "remove_unknown", "only_zero_shot"]


@dataclass(frozen=True, slots=True)
class LeaderboardFilter:
    """Selections of the leaderboard UI; None (or the default) selects everything."""

    task_types: tuple[str, ...] | None = None
    domains: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None
    """ISO 639-3 codes (``eng``); None = every language of the benchmark."""
    modalities: tuple[str, ...] | None = None
    tasks: tuple[str, ...] | None = None
    """Explicit task names (intersected with the other task filters)."""
    min_parameters: int | None = None
    max_parameters: int | None = None
    """Bounds on ``n_parameters``; with either set, models of unknown size are dropped."""
    open_weights: bool | None = None
    """True: open-weights models only; False: proprietary only."""
    frameworks: tuple[str, ...] = ()
    """Every one must be in the model's ``framework`` (the app's "Sentence Transformers")."""
    use_instructions: bool | None = None
    zero_shot: ZeroShotSetting = "allow_all"
    model_types: tuple[str, ...] | None = None
    name_contains: str | None = None
    """Case-insensitive substring of the model name; hides rows, ranks unchanged."""


def selected_tasks(
    specs: Mapping[str, TaskSpec], tasks: Mapping[str, TaskMetadata], f: LeaderboardFilter
) -> list[str]:
    """The benchmark tasks the task filters keep (``_cache_update_task_list``)."""
    if f.languages is not None and not f.languages:
        return []
    kept = []
    for name, spec in specs.items():
        meta = tasks[name]
        if f.task_types is not None and spec.type not in f.task_types:
            continue
        if f.domains is not None and meta.domains and not set(meta.domains) & set(f.domains):
            continue
        if f.languages is not None and spec.languages and not spec.languages & set(f.languages):
            continue
        mods = set(meta.modalities)
        if f.modalities is not None and mods and not mods & set(f.modalities):
            continue
        if f.tasks is not None and name not in f.tasks:
            continue
        kept.append(name)
    return kept


def _size_passes(n: int | None, f: LeaderboardFilter) -> bool:
    if f.min_parameters is None and f.max_parameters is None:
        return True
    if n is None:
        return False
    return (f.max_parameters is None or n <= f.max_parameters) and (
        f.min_parameters is None or n >= f.min_parameters
    )


def _model_passes(meta: ModelMeta, f: LeaderboardFilter) -> bool:
    checks = (
        f.open_weights is None or meta.open_weights == f.open_weights,
        not f.frameworks or set(f.frameworks) <= set(meta.framework),
        f.use_instructions is None or meta.use_instructions == f.use_instructions,
        f.model_types is None or bool(set(f.model_types) & set(meta.model_type)),
    )
    return all(checks) and _size_passes(meta.n_parameters, f)


def selected_models(
    names: Sequence[str],
    task_names: Sequence[str],
    models: Mapping[str, ModelMeta],
    training: TrainingData,
    f: LeaderboardFilter,
) -> set[str]:
    """The models the model filters keep (``_filter_models``); unregistered ones never pass."""
    kept = set()
    for name in names:
        meta = models.get(name)
        if meta is None or not _model_passes(meta, f):
            continue
        if f.zero_shot != "allow_all":
            zero_shot = training.is_zero_shot_on(name, task_names)
            if zero_shot is None or (f.zero_shot == "only_zero_shot" and not zero_shot):
                continue
        kept.add(name)
    return kept


def _speaking(cols: EntryColumns, languages: frozenset[str]) -> BoolArray:
    """Per entry: one of its languages (``eng-Latn`` → ``eng``) is selected."""
    return cols.langsets.speaking(languages)[cols.langset]


def _members(names: tuple[str, ...], kept: set[str] | list[str]) -> BoolArray:
    chosen = set(kept)
    return np.array([n in chosen for n in names], dtype=bool).reshape(len(names))


def filter_entries(
    entries: EntryColumns,
    specs: Mapping[str, TaskSpec],
    tasks: Mapping[str, TaskMetadata],
    models: Mapping[str, ModelMeta],
    training: TrainingData,
    f: LeaderboardFilter,
) -> EntryColumns:
    """The entries the app feeds its table builders (``update_tables``)."""
    full = frozenset(lang for spec in specs.values() for lang in spec.languages)
    languages = full if f.languages is None else frozenset(f.languages)
    task_names = selected_tasks(specs, tasks, f)
    speaks = _speaking(entries, languages)
    pairs = np.zeros((len(entries.models), len(entries.tasks)), dtype=bool)  # model × task
    pairs[entries.model[speaks], entries.task[speaks]] = True
    pairs &= _members(entries.tasks, task_names)[None, :]
    names = [entries.models[m] for m in np.flatnonzero(pairs.any(axis=1)).tolist()]
    keep_models = selected_models(sorted(names), task_names, models, training, f)
    pairs &= _members(entries.models, keep_models)[:, None]
    model_kept: BoolArray = np.any(pairs, axis=1)
    task_kept: BoolArray = np.any(pairs, axis=0)
    keep = model_kept[entries.model] & task_kept[entries.task]
    if not languages >= full:
        keep &= speaks
    return entries if keep.all() else entries.take(keep)


def matches_name(model: str, f: LeaderboardFilter | None) -> bool:
    """The display-only name search."""
    if f is None or not f.name_contains:
        return True
    return f.name_contains.lower() in model.lower()
