"""Scores read back from a model card's ``model-index`` (MTEB-era cards, percentages 0–100).

A card result is one (task, split, subset): ``dataset.name`` is ``MTEB {Task}`` or
``MTEB {Task} ({config})``, ``dataset.config`` the subset, ``dataset.split`` the split and
``dataset.revision`` the dataset revision; every metric value is divided by 100. The front matter
is found as the Hugging Face Hub finds it (``huggingface_hub.repocard.REGEX_YAML_BLOCK``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from emboard.errors import ResultFormatError
from emboard.results.model_card import load_front_matter, parse_dataset_name
from emboard.results.parsed import ParsedResult, ScoreEntry, TaskLookup

LEGACY_MAIN_KEYS: dict[str, tuple[str, ...]] = {
    "map_at_1000": ("map",),
    "max_over_subqueries_map_at_1000": ("map",),
}
"""Main-score keys of today's tasks and the keys MTEB-era cards hold for them (besides the
``cos_sim_`` spelling of every ``cosine_`` key, as legacy result files are converted)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class CardMetric(_Strict):
    """One ``metrics`` item."""

    type: str
    value: float | int | str | None = None


class CardDataset(_Strict):
    """A result's ``dataset``."""

    name: str
    type: str | None = None
    config: str | None = None
    split: str | None = None
    revision: str | int | float | None = None


class CardTask(_Strict):
    """A result's ``task``."""

    type: str | None = None


class CardResult(_Strict):
    """One ``model-index[].results`` item."""

    dataset: CardDataset
    metrics: list[CardMetric]
    task: CardTask | None = None


class CardModel(_Strict):
    """One ``model-index`` item."""

    name: str | None = None
    results: list[CardResult]


@dataclass(frozen=True, slots=True)
class ModelCardResults:
    """What a card reports: the model name and one result per (task, dataset revision)."""

    model_name: str | None
    results: tuple[ParsedResult, ...]
    warnings: tuple[str, ...] = ()

    @property
    def n_entries(self) -> int:
        """(task, split, subset) entries over all results."""
        return sum(len(r.entries) for r in self.results)


def front_matter(text: str, *, source: str) -> dict[str, Any]:
    """The YAML front matter of a card, as the Hub finds it (``{}`` when there is none)."""
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    match = REGEX_YAML_BLOCK.search(text)
    if match is None:
        return {}
    return load_front_matter(match.group(2), source=source)


def parse_model_index(data: dict[str, Any], *, source: str) -> list[CardModel]:
    """The validated ``model-index`` of a card's front matter."""
    if "model-index" not in data:
        raise ResultFormatError(f"{source}: field model-index: missing (no results in this card)")
    raw = data["model-index"]
    if not isinstance(raw, list) or not raw:
        raise ResultFormatError(f"{source}: field model-index: expected a non-empty list")
    models = []
    for i, item in enumerate(raw):
        try:
            models.append(CardModel.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
            raise ResultFormatError(
                f"{source}: field model-index[{i}]{loc}: {first['msg']} "
                f"(got {first.get('input')!r})"
            ) from exc
    return models


def read_model_card(text: str, *, source: str, tasks: TaskLookup) -> ModelCardResults:
    """The scores of a card's ``model-index`` as results (values ÷100, ``schema="model-card"``).

    Task names come from ``dataset.name`` and are resolved through ``tasks``; unknown names are
    kept as written and reported in ``warnings``. Raises :class:`ResultFormatError` naming the
    source and field for bad YAML, a missing ``model-index`` or a malformed result.
    """
    models = parse_model_index(front_matter(text, source=source), source=source)
    warnings: list[str] = []
    grouped: dict[tuple[str, str | None], list[ScoreEntry]] = {}
    for m, model in enumerate(models):
        for r, result in enumerate(model.results):
            where = f"{source}: model-index[{m}].results[{r}]"
            task, entry = _entry(result, tasks, where, warnings)
            group = grouped.setdefault((task, _revision(result.dataset.revision)), [])
            for i, old in enumerate(group):
                if (old.split, old.subset) == (entry.split, entry.subset):
                    warnings.append(f"{where}: repeats {task} ({entry.split}, {entry.subset})")
                    group[i] = entry
                    break
            else:
                group.append(entry)
    results = tuple(
        ParsedResult(task, revision, None, tuple(entries), schema="model-card")
        for (task, revision), entries in grouped.items()
    )
    return ModelCardResults(models[0].name, results, tuple(warnings))


def _entry(
    result: CardResult, tasks: TaskLookup, where: str, warnings: list[str]
) -> tuple[str, ScoreEntry]:
    written, subset = parse_dataset_name(result.dataset.name, result.dataset.config)
    task = tasks.resolve(written)
    if task is None:
        warnings.append(f"{where}: unknown task {written!r} (dataset.name {result.dataset.name!r})")
        task = written
    split = result.dataset.split
    if split is None:
        warnings.append(f"{where}: no dataset.split, read as 'test'")
        split = "test"
    metrics: dict[str, float] = {}
    details: dict[str, Any] = {}
    for metric in result.metrics:
        value = metric.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            metrics[metric.type] = value / 100
        else:
            details[metric.type] = value
            warnings.append(f"{where}: metric {metric.type!r} is not a number ({value!r})")
    main = _main_score(metrics, tasks.main_score(task))
    if main is None:
        warnings.append(f"{where}: no main score ({tasks.main_score(task)!r}) in the metrics")
    entry = ScoreEntry(split, subset, tasks.languages(task, subset), main, metrics, details)
    return task, entry


def _main_score(metrics: dict[str, float], main_key: str | None) -> float | None:
    """``main_score`` if the card has it, else the task's main key (or its MTEB-era spelling)."""
    if "main_score" in metrics:
        return metrics.pop("main_score")
    if main_key is None:
        return None
    candidates = [main_key, *LEGACY_MAIN_KEYS.get(main_key, ())]
    if main_key.startswith("cosine_"):
        candidates.append("cos_sim_" + main_key.removeprefix("cosine_"))
    for key in candidates:
        if key in metrics:
            return metrics[key]
    return None


def _revision(value: str | int | float | None) -> str | None:
    return None if value is None else str(value)
