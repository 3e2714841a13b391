"""An independent count of the score values in result files (plain ``json``, no emboard code).

Current-schema files: every numeric (non-bool) scalar of every ``scores[split][i]`` entry,
``main_score`` included when not null. Legacy (pre-1.11) files: every numeric leaf under each
split (family dicts such as ``cos_sim`` flattened, per-language dicts descended), except
``evaluation_time``, plus one main score per entry when the task's main-score key is among them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FAMILIES = {
    "cos_sim": "cosine",
    "manhattan": "manhattan",
    "euclidean": "euclidean",
    "dot": "dot",
    "max": "max",
    "similarity": "similarity",
}


RENAMES = {  # MTEB_PROTOCOL.md §3.3: old dataset names of legacy files
    "NorwegianParliament": "NorwegianParliamentClassification",
    "CMedQAv1": "CMedQAv1-reranking",
    "CMedQAv2": "CMedQAv2-reranking",
    "8TagsClustering": "EightTagsClustering",
    "PPC": "PpcPC",
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _current(data: dict[str, Any]) -> int:
    total = 0
    for entries in data["scores"].values():
        for entry in entries:
            for key, value in entry.items():
                if key == "main_score" and value is None:
                    continue
                total += _is_number(value)
    return total


def _flat_keys(block: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in block.items():
        if isinstance(value, dict) and key in FAMILIES:
            for sub, v in value.items():
                out[f"{FAMILIES[key]}_{sub}"] = v
        else:
            out[key] = value
    return out


def _legacy_entries(split_block: dict[str, Any]) -> list[dict[str, Any]]:
    nested = [v for k, v in split_block.items() if isinstance(v, dict) and k not in FAMILIES]
    if nested and not any(_is_number(v) for k, v in split_block.items() if k != "evaluation_time"):
        return [_flat_keys(v) for v in nested]
    return [_flat_keys(split_block)]


def _legacy(data: dict[str, Any], main_key: str | None) -> int:
    total = 0
    for split, block in data.items():
        if split in ("mteb_dataset_name", "mteb_version", "dataset_revision") or not isinstance(
            block, dict
        ):
            continue
        for entry in _legacy_entries(block):
            numbers = {k: v for k, v in entry.items() if k != "evaluation_time" and _is_number(v)}
            total += len(numbers)
            if main_key and main_key in numbers and "main_score" not in numbers:
                total += 1  # the conversion adds main_score from the task's main metric
    return total


def count_file(data: dict[str, Any], main_keys: dict[str, str]) -> int:
    """Score values in one parsed result file."""
    if isinstance(data.get("scores"), dict):
        return _current(data)
    name = data.get("mteb_dataset_name") or data.get("task_name") or ""
    return _legacy(data, main_keys.get(RENAMES.get(name, name)))


def count_folder(root: Path, main_keys: dict[str, str], skip: Iterable[str] = ()) -> int:
    """Score values in every readable task-result file under a results root."""
    skipped = set(skip)
    total = 0
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root).as_posix()
        if path.name == "model_meta.json" or rel in skipped:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        total += count_file(data, main_keys)
    return total


def finite(value: float | None) -> bool:
    """True for a real number."""
    return value is not None and math.isfinite(value)
