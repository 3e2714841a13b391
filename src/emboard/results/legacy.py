"""Result files from before mteb 1.11, converted as mteb 2.26.24's ``TaskResult.from_disk`` does.

An old file is ``{"mteb_dataset_name", "dataset_revision"?, "mteb_version"?, "<split>": …}``
where a split holds either the scores (``{"evaluation_time", <metrics>, "cos_sim": {…}}``) or
one dict of scores per language (``{"en": {…}, "de": {…}}``). The conversion follows
``TaskResult._convert_from_before_v1_11_0`` step by step, including where it fails: any input mteb
cannot convert raises :class:`~emboard.errors.ResultFormatError` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emboard.errors import ResultFormatError
from emboard.results.parsed import TaskLookup

NO_REVISION = "dataset revision not available"
NO_VERSION = "mteb version not available"

FAMILIES = (
    ("cosine", "cos_sim"),
    ("manhattan", "manhattan"),
    ("euclidean", "euclidean"),
    ("dot", "dot"),
    ("max", "max"),
    ("similarity", "similarity"),
)
"""Nested score families of old files and the prefix their metrics get (``cos_sim.ap`` → ``cosine_ap``)."""

NOT_SUBSETS = frozenset({"v_measures", "cos_sim", "euclidean", "manhattan", "dot", "max"})
"""Dict-valued keys of a split that do not make it a per-language split (``similarity`` is not
among them in mteb either)."""

MLSUM_TASKS = frozenset({"MLSUMClusteringP2P", "MLSUMClusteringS2S"})
MLSUM_FR_ONLY_VERSIONS = frozenset({"1.1.2.dev0", "1.1.3.dev0"})


@dataclass(frozen=True, slots=True)
class LegacyContent:
    """An old file's content in the current shape: splits → list of subset score dicts.

    Each score dict carries ``hf_subset`` and ``languages`` (from the task's subset map) and a
    ``main_score`` (None when the task's current main score is not in the file).
    """

    task_name: str
    dataset_revision: str | None
    mteb_version: str
    evaluation_time: float
    scores: dict[str, list[dict[str, Any]]]


def convert_legacy(
    raw: dict[str, Any], *, path: str, tasks: TaskLookup, reason: str
) -> LegacyContent:
    """Convert a pre-1.11 file's JSON object; ``reason`` says why it is not a current-schema file."""
    splits = dict(raw)
    revision = splits.pop("dataset_revision", NO_REVISION)
    if "mteb_dataset_name" not in splits:
        raise ResultFormatError(
            f"{path}: not a current-schema result ({reason}), and not a pre-1.11 one either: "
            "field 'mteb_dataset_name' is missing"
        )
    raw_name = splits.pop("mteb_dataset_name")
    version = splits.pop("mteb_version", NO_VERSION)
    _check_header(path, raw_name, revision, splits)
    evaluation_time = _pop_evaluation_times(splits, path)
    subsets = _by_subset(splits, path)
    name = tasks.resolve(raw_name)
    main_score = tasks.main_score(raw_name)
    if name is None or main_score is None:
        raise ResultFormatError(
            f"{path}: field 'mteb_dataset_name': unknown task {raw_name!r} (not in the catalog, "
            "not a renamed or removed MTEB task, not a case variant of a task name)"
        )
    for split_scores in subsets.values():
        for scores in split_scores.values():
            _flatten_families(scores, path)
            if "main_score" not in scores:
                scores["main_score"] = scores.get(main_score)
    _fix_subset_names(raw_name, version, subsets, path)
    listed = {
        split: [
            {**scores, "hf_subset": subset, "languages": list(tasks.languages(name, subset))}
            for subset, scores in split_scores.items()
        ]
        for split, split_scores in subsets.items()
    }
    return LegacyContent(name, revision, version, evaluation_time, listed)


def _check_header(path: str, name: Any, revision: Any, splits: dict[str, Any]) -> None:
    if not isinstance(name, str):
        raise ResultFormatError(f"{path}: field 'mteb_dataset_name' must be a string, got {name!r}")
    if revision is not None and not isinstance(revision, str):
        raise ResultFormatError(
            f"{path}: field 'dataset_revision' must be a string or null, got {revision!r}"
        )
    if "evaluation_phases" in splits:
        raise ResultFormatError(
            f"{path}: field 'evaluation_phases' cannot appear in a pre-1.11 result file"
        )
    for split, value in splits.items():
        if not isinstance(value, dict):
            raise ResultFormatError(
                f"{path}: pre-1.11 result: top-level field {split!r} should be a split "
                f"(an object of scores), got {type(value).__name__}"
            )


def _pop_evaluation_times(splits: dict[str, dict[str, Any]], path: str) -> float:
    total: float = 0
    for split, scores in splits.items():
        if "evaluation_time" in scores:
            value = scores.pop("evaluation_time")
            if not isinstance(value, int | float):
                raise ResultFormatError(
                    f"{path}: field '{split}.evaluation_time' must be a number, got {value!r}"
                )
            total += value
    return float(total)


def _by_subset(
    splits: dict[str, dict[str, Any]], path: str
) -> dict[str, dict[str, dict[str, Any]]]:
    """``{split: {subset: scores}}``: a split without per-language dicts becomes ``default``."""
    per_language = any(
        isinstance(value, dict)
        for scores in splits.values()
        for key, value in scores.items()
        if key not in NOT_SUBSETS
    )
    if not per_language:
        return {split: {"default": dict(scores)} for split, scores in splits.items()}
    for split, scores in splits.items():
        for key, value in scores.items():
            if not isinstance(value, dict):
                raise ResultFormatError(
                    f"{path}: pre-1.11 result: split {split!r} mixes per-language score dicts "
                    f"with the non-dict value {key!r}={value!r}"
                )
    return splits


def _flatten_families(scores: dict[str, Any], path: str) -> None:
    for prefix, family in FAMILIES:
        values = scores.pop(family, None)
        if values is None:
            continue
        if not isinstance(values, dict):
            raise ResultFormatError(
                f"{path}: pre-1.11 result: score family {family!r} must be an object, "
                f"got {values!r}"
            )
        for key, value in values.items():
            scores[f"{prefix}_{key}"] = value


def _fix_subset_names(
    raw_name: str, version: str, subsets: dict[str, dict[str, dict[str, Any]]], path: str
) -> None:
    """mteb's two fixes: early MLSUM clustering results were French only; XPQA ``fr`` → ``fra-fra``."""
    if raw_name in MLSUM_TASKS and version in MLSUM_FR_ONLY_VERSIONS:
        test = subsets.get("test", {})
        if "default" not in test:
            raise ResultFormatError(
                f"{path}: {raw_name} at mteb {version} must hold split 'test' with one set "
                "of scores (read as subset 'fr')"
            )
        test["fr"] = test.pop("default")
    if raw_name == "XPQARetrieval" and "fr" in subsets.get("test", {}):
        subsets["test"]["fra-fra"] = subsets["test"].pop("fr")
