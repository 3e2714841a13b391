"""Results on disk in MTEB's layout: ``{root}/{org}__{model}/{revision}/{Task}.json``.

Writes are atomic (a temporary file in the same folder, then a rename), so an interrupted run
never leaves a half-written file. Scores are rounded to 6 decimals as MTEB rounds them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from emboard.errors import ResultFormatError
from emboard.results.schema import TaskResult

MODEL_META_FILE = "model_meta.json"
RUN_SETTINGS_FILE = "run_settings.jsonl"


def model_dir_name(model_name: str) -> str:
    """MTEB's folder name for a model: ``/`` → ``__``, spaces → ``_``."""
    return model_name.replace("/", "__").replace(" ", "_")


def revision_dir(root: Path, model_name: str, revision: str | None) -> Path:
    """The folder of one model revision's results."""
    return root / model_dir_name(model_name) / (revision or "no_revision_available")


def round_scores(value: Any, ndigits: int = 6) -> Any:
    """Round every float in a score structure, as MTEB does when it writes a file."""
    if isinstance(value, dict):
        return {k: round_scores(v, ndigits) for k, v in value.items()}
    if isinstance(value, list):
        return [round_scores(v, ndigits) for v in value]
    if isinstance(value, float):
        return round(value, ndigits)
    return value


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see either the old or the new file, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_task_result(path: Path, result: TaskResult) -> None:
    """Write one task result (scores rounded to 6 decimals)."""
    data = result.model_dump()
    data["scores"] = round_scores(data["scores"])
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")


def read_task_result(path: Path) -> TaskResult:
    """Read one current-schema task result; a bad file raises naming the file and the field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultFormatError(f"Result file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultFormatError(f"{path}: not valid JSON ({exc})") from exc
    try:
        return TaskResult.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ResultFormatError(f"{path}: field {field or '(root)'}: {first['msg']}") from exc


def write_model_meta(folder: Path, meta: dict[str, Any]) -> None:
    """Write ``model_meta.json`` (replacing an older one)."""
    atomic_write_text(folder / MODEL_META_FILE, json.dumps(meta, indent=2, default=str) + "\n")


def append_run_settings(folder: Path, row: dict[str, Any]) -> None:
    """Add one line to ``run_settings.jsonl``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / RUN_SETTINGS_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")
