"""Model-card metadata: MTEB v1 ``create_meta``'s ``model-index`` built from a results folder.

The card's YAML front matter holds one ``model-index`` result per (task, split, subset)::

    tags: [mteb]
    model-index:
    - name: <model_meta.json name or PLACEHOLDER>
      results:
      - task: {type: Classification}
        dataset: {type: mteb/banking77, name: MTEB Banking77Classification (default),
                  config: default, split: test, revision: <the result's dataset_revision>}
        metrics: [{type: accuracy, value: 80.04}, ..., {type: main_score, value: 80.04}]

Every numeric metric is written ×100 (percent, unrounded), results are sorted by task name, and a
synthetic ``CQADupstackRetrieval`` entry (mean main score of its 12 parts) is added when all parts
are present. Merging into an existing README keeps its body and its unrelated results.

Task facts (type, dataset path) are passed in; this module imports no other stage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from emboard.errors import ResultFormatError
from emboard.results.io import MODEL_META_FILE
from emboard.results.parsed import ParsedResult, ScoreEntry, TaskLookup

PLACEHOLDER_NAME = "PLACEHOLDER"
CQADUPSTACK_TASK = "CQADupstackRetrieval"
CQADUPSTACK_REVISION = "CQADupstackRetrieval_is_a_combined_dataset"
CQADUPSTACK_PARTS = frozenset(
    f"CQADupstack{part}Retrieval"
    for part in (
        *("Android", "English", "Gaming", "Gis", "Mathematica", "Physics", "Programmers"),
        *("Stats", "Tex", "Unix", "Webmasters", "Wordpress"),
    )
)
SPEED_TASKS = frozenset({"GPUSpeedTask", "CPUSpeedTask"})
FRONT_MATTER_END = "\n---\n"
_DATASET_NAME = re.compile(r"^MTEB (?P<task>.+?)(?: \((?P<config>[^()]*)\))?$")


class DatasetFacts(Protocol):
    """The part of a task's dataset reference a card needs (``TaskMetadata.dataset``)."""

    @property
    def path(self) -> str:
        """The Hugging Face dataset id."""
        ...


class TaskFacts(Protocol):
    """The task facts a card entry needs; ``emboard.tasks.metadata.TaskMetadata`` fits."""

    @property
    def type(self) -> str:
        """The task type (``Classification``, ``Retrieval``, …)."""
        ...

    @property
    def dataset(self) -> DatasetFacts:
        """The task's dataset reference."""
        ...


@dataclass(frozen=True, slots=True)
class ModelIndex:
    """The ``model-index`` of one model, ready to be written as YAML front matter."""

    model_name: str
    results: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...] = ()

    def metadata(self) -> dict[str, Any]:
        """The front matter of a new card: ``tags: [mteb]`` and the model index."""
        return {
            "tags": ["mteb"],
            "model-index": [{"name": self.model_name, "results": list(self.results)}],
        }


def dataset_name(task_name: str, subset: str) -> str:
    """The card's dataset name of one task subset: ``MTEB {Task} ({subset})``."""
    return f"MTEB {task_name} ({subset})"


def parse_dataset_name(name: str, config: str | None) -> tuple[str, str]:
    """The task and subset of a card dataset: ``MTEB {Task} ({config})`` or ``MTEB {Task}``.

    ``config`` (the dataset's ``config``) wins over the name's parenthesis; neither gives
    ``default``. A name without the ``MTEB`` prefix is returned whole as the task.
    """
    match = _DATASET_NAME.match(name)
    if match is None:
        return name, config or "default"
    return match["task"], config or match["config"] or "default"


def card_metrics(entry: ScoreEntry) -> list[dict[str, Any]]:
    """Every metric of an entry as ``{type, value×100}``, the main score last."""
    metrics = [{"type": key, "value": value * 100} for key, value in entry.metrics.items()]
    if entry.main_score is not None:
        metrics.append({"type": "main_score", "value": entry.main_score * 100})
    return metrics


def card_results(result: ParsedResult, task: TaskFacts) -> list[dict[str, Any]]:
    """The model-index results of one task result: one per (split, subset) entry."""
    return [
        {
            "task": {"type": task.type},
            "dataset": {
                "type": task.dataset.path,
                "name": dataset_name(result.task_name, entry.subset),
                "config": entry.subset,
                "split": entry.split,
                "revision": result.dataset_revision,
            },
            "metrics": card_metrics(entry),
        }
        for entry in result.entries
    ]


def with_cqadupstack(results: list[ParsedResult]) -> list[ParsedResult]:
    """``results`` plus the combined CQADupstackRetrieval result when all 12 parts are present.

    Its score is the mean over the parts of each part's mean ``test`` main score (parts in name
    order), stored as both ``ndcg_at_10`` and ``main_score`` as MTEB v1 did.
    """
    names = {r.task_name for r in results}
    if not names >= CQADUPSTACK_PARTS or CQADUPSTACK_TASK in names:
        return results
    parts = sorted((r for r in results if r.task_name in CQADUPSTACK_PARTS), key=_task_key)
    per_part = []
    for part in parts:
        scores = [e.main_score for e in part.entries if e.split == "test"]
        if not scores or any(s is None for s in scores):
            return results
        per_part.append(sum(s for s in scores if s is not None) / len(scores))
    score = sum(per_part) / len(per_part)
    entry = ScoreEntry("test", "default", ("eng-Latn",), score, {"ndcg_at_10": score})
    combined = ParsedResult(CQADUPSTACK_TASK, CQADUPSTACK_REVISION, None, (entry,))
    return [*results, combined]


def _task_key(result: ParsedResult) -> str:
    return result.task_name


def build_model_index(
    results: Iterable[ParsedResult], tasks: Mapping[str, TaskFacts], *, model_name: str
) -> ModelIndex:
    """The model index of ``results`` (sorted by task name; unknown tasks skipped, warned)."""
    ordered = sorted(with_cqadupstack(list(results)), key=_task_key)
    entries: list[dict[str, Any]] = []
    warnings: list[str] = []
    for result in ordered:
        if result.task_name in SPEED_TASKS:
            continue
        task = tasks.get(result.task_name)
        if task is None:
            warnings.append(f"{result.task_name}: unknown task, left out of the card")
            continue
        for entry in result.entries:
            if entry.main_score is None:
                warnings.append(
                    f"{result.task_name} ({entry.split}, {entry.subset}): no main score"
                )
        entries.extend(card_results(result, task))
    return ModelIndex(model_name, tuple(entries), tuple(warnings))


def load_model_name(folder: Path) -> str:
    """The model's name from ``model_meta.json``, else ``PLACEHOLDER`` (as MTEB v1 did)."""
    path = folder / MODEL_META_FILE
    if not path.exists():
        return PLACEHOLDER_NAME
    try:
        name = json.loads(path.read_text(encoding="utf-8"))["name"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise ResultFormatError(f"{path}: field name: cannot be read ({exc!r})") from exc
    if not isinstance(name, str) or not name:
        raise ResultFormatError(f"{path}: field name: expected a model name, got {name!r}")
    return name


def result_files(folder: Path) -> list[Path]:
    """The task result files of a revision folder (no model_meta, no predictions), by name."""
    if not folder.is_dir():
        raise ResultFormatError(f"Results folder not found: {folder}")
    return sorted(
        p
        for p in folder.glob("*.json")
        if p.is_file() and p.name != MODEL_META_FILE and "predictions" not in p.name
    )


def read_results_folder(
    folder: Path, tasks: TaskLookup
) -> tuple[list[ParsedResult], tuple[str, ...]]:
    """Every task result of ``folder`` (current or legacy schema); bad files skipped, warned."""
    from emboard.results.parse import parse_result

    results: list[ParsedResult] = []
    warnings: list[str] = []
    for path in result_files(folder):
        try:
            results.append(parse_result(path.read_bytes(), path=str(path), tasks=tasks))
        except ResultFormatError as exc:
            warnings.append(f"{exc} (skipped)")
    return results, tuple(warnings)


def split_front_matter(text: str, *, source: str) -> tuple[dict[str, Any], str]:
    """A README's YAML front matter and body, split at the first ``\\n---\\n`` as MTEB v1 did.

    A README without front matter gives ``({}, text)``.
    """
    if not (text.startswith("---") and FRONT_MATTER_END in text[3:]):
        return {}, text
    end = text.index(FRONT_MATTER_END, 3)
    return load_front_matter(text[3:end], source=source), text[end + len(FRONT_MATTER_END) :]


def load_front_matter(block: str, *, source: str) -> dict[str, Any]:
    """A YAML front-matter block as a mapping (``{}`` when empty); bad YAML raises, naming it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    try:
        data = yaml.load(block, Loader=loader)  # a safe loader
    except yaml.YAMLError as exc:
        raise ResultFormatError(f"{source}: front matter is not valid YAML ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ResultFormatError(
            f"{source}: front matter must be a mapping, got {type(data).__name__}"
        )
    return data


def merge_metadata(existing: dict[str, Any], index: ModelIndex, *, source: str) -> dict[str, Any]:
    """``existing`` front matter with the ``mteb`` tag and ``index``'s results merged in.

    A new result replaces an old one for the same (task, subset, split) in its place; other old
    results are kept, new ones appended. MTEB v1 keyed on ``(dataset.name, dataset.config)``
    only, which duplicated ``MTEB X`` (old cards) beside ``MTEB X (default)`` and gave every
    split of a multi-split task the metrics of its last split.
    """
    merged = dict(existing)
    tags = merged.get("tags")
    tags = [] if tags is None else [tags] if isinstance(tags, str) else list(tags)
    merged["tags"] = tags if "mteb" in tags else [*tags, "mteb"]
    model_index = merged.get("model-index")
    if not model_index:
        merged["model-index"] = index.metadata()["model-index"]
        return merged
    model = _first_model(model_index, source)
    if model.get("name") != index.model_name:
        raise ResultFormatError(
            f"{source}: field model-index[0].name: {model.get('name')!r} does not match the "
            f"results' model name {index.model_name!r} (set the model name to match)"
        )
    by_key: dict[tuple[str, str, Any], dict[str, Any]] = {}
    for i, old in enumerate(model.get("results") or []):
        by_key[_merge_key(old, f"{source}: field model-index[0].results[{i}]")] = old
    for new in index.results:
        by_key[_merge_key(new, "new result")] = new
    merged["model-index"] = [{**model, "results": list(by_key.values())}, *model_index[1:]]
    return merged


def _merge_key(result: Any, where: str) -> tuple[str, str, Any]:
    dataset = result.get("dataset") if isinstance(result, dict) else None
    if not isinstance(dataset, dict) or not isinstance(dataset.get("name"), str):
        raise ResultFormatError(f"{where}.dataset.name: missing")
    config = dataset.get("config")
    task, subset = parse_dataset_name(dataset["name"], config if isinstance(config, str) else None)
    return task, subset, dataset.get("split", "test")


def _first_model(model_index: Any, source: str) -> dict[str, Any]:
    if not isinstance(model_index, list) or not isinstance(model_index[0], dict):
        raise ResultFormatError(f"{source}: field model-index: expected a list of mappings")
    return model_index[0]


def render_card(metadata: Mapping[str, Any], body: str = "") -> str:
    """A README: ``---``, the YAML front matter (keys in order), ``---``, then ``body``."""
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when available: 40x faster
    dumper = type("CardDumper", (base,), {"ignore_aliases": lambda self, data: True})
    text: str = yaml.dump(dict(metadata), Dumper=dumper, sort_keys=False, allow_unicode=True)
    return f"---\n{text}---\n{body}"


def create_model_card(
    folder: Path,
    tasks: Mapping[str, TaskFacts],
    lookup: TaskLookup,
    *,
    existing: str | None = None,
    existing_source: str = "README.md",
    model_name: str | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The card text for a results folder (merged into ``existing`` when given), and warnings."""
    results, read_warnings = read_results_folder(folder, lookup)
    if not results:
        raise ResultFormatError(f"{folder}: no task result files found")
    name = model_name or load_model_name(folder)
    text, warnings = card_from_results(
        results, tasks, name, existing=existing, existing_source=existing_source
    )
    return text, (*read_warnings, *warnings)


def card_from_results(
    results: Iterable[ParsedResult],
    tasks: Mapping[str, TaskFacts],
    model_name: str,
    *,
    existing: str | None = None,
    existing_source: str = "README.md",
) -> tuple[str, tuple[str, ...]]:
    """The card text for parsed results (merged into ``existing`` when given), and warnings."""
    index = build_model_index(results, tasks, model_name=model_name)
    if existing is None:
        return render_card(index.metadata()), index.warnings
    front, body = split_front_matter(existing, source=existing_source)
    return render_card(merge_metadata(front, index, source=existing_source), body), index.warnings
