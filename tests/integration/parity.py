"""Helpers for comparing emboard's result files with mteb's (the oracle)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO

IGNORED_KEYS = {"mteb_version"}
TOLERANCE = 1e-6 + 1e-9  # both sides are rounded to 6 decimals


def run_peer(
    model: Path, data_dir: Path, out: Path, tasks: list[str] | None = None
) -> dict[str, Any]:
    """Run mteb 2.26.24 itself on the local rows (benchmarks/peer_mteb.py); its summary line."""
    cmd = [
        sys.executable,
        str(REPO / "benchmarks" / "peer_mteb.py"),
        "--model",
        str(model),
        "--data-dir",
        str(data_dir),
        "--output-dir",
        str(out),
    ]
    if tasks:
        cmd += ["--tasks", *tasks]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"peer_mteb.py failed:\n{done.stderr[-4000:]}")
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def run_both(
    data_dir: Path, base: Path, tasks: list[Any], peer_tasks: list[str] | None = None
) -> dict[str, Any]:
    """mteb (peer process) and emboard on potion-base-2M over the same rows; both sides' files."""
    import emboard
    from tests.conftest import POTION, POTION_NAME, POTION_REVISION

    peer = run_peer(POTION, data_dir, base / "mteb", peer_tasks)
    report = emboard.evaluate(
        str(POTION),
        tasks,
        data_dir=data_dir,
        output_dir=base / "emboard",
        model_name=POTION_NAME,
        model_revision=POTION_REVISION,
        show_progress=False,
    )
    return {
        "peer": peer,
        "report": report,
        "mteb": result_files(base / "mteb"),
        "emboard": result_files(base / "emboard"),
    }


def result_files(root: Path) -> dict[str, Path]:
    """Task name → result file under ``root`` (any depth)."""
    found = {}
    for path in root.rglob("*.json"):
        if path.name in ("model_meta.json",):
            continue
        found[json.loads(path.read_text())["task_name"]] = path
    return found


def diff_scores(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Every difference between two score structures beyond the tolerance."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        out = []
        keys = (set(ours) | set(theirs)) - IGNORED_KEYS
        for key in sorted(keys):
            if key not in ours or key not in theirs:
                out.append(f"{where}.{key}: only in {'mteb' if key in theirs else 'emboard'}")
            else:
                out += diff_scores(ours[key], theirs[key], f"{where}.{key}")
        return out
    if isinstance(theirs, list) and isinstance(ours, list):
        if len(ours) != len(theirs):
            return [f"{where}: length {len(ours)} != {len(theirs)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
            for d in diff_scores(a, b, f"{where}[{i}]")
        ]
    if (
        isinstance(theirs, (int, float))
        and isinstance(ours, (int, float))
        and not isinstance(theirs, bool)
    ):
        if math.isnan(theirs) and math.isnan(ours):
            return []
        if abs(float(ours) - float(theirs)) <= TOLERANCE:
            return []
        return [f"{where}: emboard {ours} != mteb {theirs}"]
    return [] if ours == theirs else [f"{where}: emboard {ours!r} != mteb {theirs!r}"]


def compare_files(ours: Path, theirs: Path) -> list[str]:
    """Differences between the ``scores`` of two result files, entry by entry."""
    a, b = json.loads(ours.read_text()), json.loads(theirs.read_text())
    problems = []
    if a["dataset_revision"] != b["dataset_revision"]:
        problems.append(f"dataset_revision {a['dataset_revision']} != {b['dataset_revision']}")
    for split in sorted(set(a["scores"]) | set(b["scores"])):
        ea = {e["hf_subset"]: e for e in a["scores"].get(split, [])}
        eb = {e["hf_subset"]: e for e in b["scores"].get(split, [])}
        if set(ea) != set(eb):
            problems.append(f"{split}: subsets {sorted(ea)} != {sorted(eb)}")
        for subset in sorted(set(ea) & set(eb)):
            problems += diff_scores(ea[subset], eb[subset], f"{split}/{subset}")
    return problems
