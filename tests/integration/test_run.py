"""The runner end to end on real local data: resume, overwrite, failure isolation, bad models."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

import emboard
from emboard.models.protocol import EncodeRequest
from emboard.tasks.metadata import ModelMeta
from emboard.types import PromptType
from tests.conftest import POTION, POTION_NAME, POTION_REVISION, TASKS_DIR


class HashEncoder:
    """A deterministic fake model: embeddings from a hash of each text; counts what it encodes."""

    distinguishes_prompt_types = False

    def __init__(self, nan_for: str | None = None, dim: int = 16) -> None:
        self.meta = ModelMeta(name="test/hash-encoder", revision="1", embed_dim=dim)
        self.nan_for = nan_for
        self.dim = dim
        self.encoded: list[str] = []

    def prompt_for(self, request: EncodeRequest) -> str | None:
        return None

    def encode(
        self,
        texts: Sequence[str],
        *,
        prompt: str | None,
        prompt_type: PromptType | None,
        batch_size: int,
    ) -> NDArray[np.floating]:
        self.encoded += texts
        rows = [
            np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(self.dim) for t in texts
        ]
        out = np.asarray(rows, dtype=np.float32)
        if self.nan_for and any(self.nan_for in t for t in texts):
            out[0, 0] = np.nan
        return out


def _run(model: Any, tasks: list[str], out: Path, **kw: Any) -> Any:
    return emboard.evaluate(
        model, tasks, data_dir=TASKS_DIR, output_dir=out, show_progress=False, **kw
    )


def test_rerun_resumes_and_overwrite_redoes(tmp_path: Path) -> None:
    enc = HashEncoder()
    first = _run(enc, ["STS12", "BIOSSES"], tmp_path)
    assert [o.status for o in first.outcomes] == ["completed", "completed"]
    path = first.output_dir / "STS12.json"
    before = json.loads(path.read_text())

    enc2 = HashEncoder()
    again = _run(enc2, ["STS12", "BIOSSES"], tmp_path)
    assert [o.status for o in again.outcomes] == ["cached", "cached"]
    assert enc2.encoded == []
    assert json.loads(path.read_text()) == before

    enc3 = HashEncoder()
    redo = _run(enc3, ["STS12"], tmp_path, overwrite=True)
    assert redo.outcomes[0].status == "completed" and enc3.encoded
    assert json.loads(path.read_text())["scores"] == before["scores"]


def test_partial_result_is_finished(tmp_path: Path) -> None:
    enc = HashEncoder()
    report = _run(enc, ["AmazonCounterfactualClassification"], tmp_path)
    path = report.output_dir / "AmazonCounterfactualClassification.json"
    full = json.loads(path.read_text())
    assert set(full["scores"]) == {"validation", "test"}
    partial = dict(full, scores={"validation": full["scores"]["validation"]})
    path.write_text(json.dumps(partial))
    again = _run(HashEncoder(), ["AmazonCounterfactualClassification"], tmp_path)
    assert again.outcomes[0].status == "resumed"
    assert json.loads(path.read_text())["scores"] == full["scores"]


def test_a_failing_task_does_not_stop_the_others(tmp_path: Path) -> None:
    # "the" occurs in STS12 texts; BIOSSES is encoded first and must still get its result
    enc = HashEncoder(nan_for="the problem likely will mean corrective changes")
    report = _run(enc, ["BIOSSES", "STS12", "STS13"], tmp_path)
    status = {o.task.name: o.status for o in report.outcomes}
    assert status["STS12"] == "failed" and status["BIOSSES"] == "completed"
    assert status["STS13"] == "completed"
    [failed] = report.failed
    assert "NaN" in (failed.error or "")
    assert not (report.output_dir / "STS12.json").exists()
    assert (report.output_dir / "STS13.json").exists()


def test_each_unique_text_is_encoded_once_per_run(tmp_path: Path) -> None:
    enc = HashEncoder()
    report = _run(enc, ["STS12"], tmp_path)
    assert len(enc.encoded) == len(set(enc.encoded))
    assert report.stats.requested == 2 * 3108 and report.stats.encoded == len(set(enc.encoded))


def test_cli_run_writes_results_and_prints_table(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from emboard.cli.main import app

    result = CliRunner().invoke(
        app,
        [
            "run",
            "-m",
            str(POTION),
            "-t",
            "BIOSSES",
            "-t",
            "STS12",
            "--data-dir",
            str(TASKS_DIR),
            "--output-dir",
            str(tmp_path),
            "--model-name",
            POTION_NAME,
            "--model-revision",
            POTION_REVISION,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "BIOSSES" in result.output and "cosine_spearman" in result.output
    folder = tmp_path / "minishlab__potion-base-2M" / POTION_REVISION
    assert (folder / "BIOSSES.json").exists() and (folder / "model_meta.json").exists()
    rows = [json.loads(line) for line in (folder / "run_settings.jsonl").read_text().splitlines()]
    assert {r["task"] for r in rows} == {"BIOSSES", "STS12"}


def test_cli_mmap_threshold_moves_memory_not_scores(tmp_path: Path) -> None:
    """``--mmap-threshold`` is a process-wide malloc setting: each run is its own process, and
    the scores are bit-identical whichever allocator settings served the run."""
    import subprocess
    import sys

    def run(threshold: str, out: Path) -> subprocess.CompletedProcess[str]:
        args = ["-m", "emboard", "run", "-m", str(POTION), "-t", "BIOSSES"]
        args += ["--data-dir", str(TASKS_DIR), "--output-dir", str(out)]
        args += ["--model-name", POTION_NAME, "--model-revision", POTION_REVISION]
        return subprocess.run(
            [sys.executable, *args, "--mmap-threshold", threshold],
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )

    scores = []
    for threshold in ("0", "65536"):
        out = tmp_path / threshold
        done = run(threshold, out)
        assert done.returncode == 0, done.stderr
        path = out / "minishlab__potion-base-2M" / POTION_REVISION / "BIOSSES.json"
        scores.append(json.loads(path.read_text())["scores"]["test"])
    assert scores[0] == scores[1]
    bad = run("-1", tmp_path / "bad")
    assert bad.returncode == 2 and "--mmap-threshold" in bad.stderr


def test_cli_unknown_task_and_missing_data(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from emboard.cli.main import app

    bad = CliRunner().invoke(
        app, ["run", "-m", str(POTION), "-t", "STS121", "--data-dir", str(TASKS_DIR)]
    )
    assert bad.exit_code == 2 and "Did you mean: STS12" in bad.output
    missing = CliRunner().invoke(
        app,
        [
            "run",
            "-m",
            str(POTION),
            "-t",
            "STS17",
            "--data-dir",
            str(TASKS_DIR),
            "--output-dir",
            str(tmp_path),
        ],
    )
    assert missing.exit_code == 1 and "No data for task STS17" in missing.output


def test_hub_data_without_datasets_installed_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`emboard[eval]` has no `datasets`: a run that needs the Hub says which extra to install,
    before the model loads, and writes nothing."""
    from typer.testing import CliRunner

    from emboard.cli.main import app

    monkeypatch.setitem(sys.modules, "datasets", None)  # as if not installed
    monkeypatch.delenv("EMBOARD_DATA_DIR", raising=False)
    done = CliRunner().invoke(
        app, ["run", "-m", str(POTION), "-t", "STS12", "--output-dir", str(tmp_path / "out")]
    )
    assert done.exit_code == 2
    assert "emboard[hub]" in done.output and "--data-dir" in done.output
    assert not (tmp_path / "out").exists()


def test_local_data_never_imports_datasets(tmp_path: Path) -> None:
    """Local task data is read with pyarrow alone, so `emboard[eval]` runs without `datasets`
    (and without the ~130 MB sentence-transformers loads with it when it is installed)."""
    code = (
        "import sys, emboard\n"
        f"r = emboard.evaluate({str(POTION)!r}, ['STS12', 'Banking77Classification', 'SciFact'], "
        f"data_dir={str(TASKS_DIR)!r}, output_dir={str(tmp_path)!r}, show_progress=False)\n"
        "assert all(o.status == 'completed' for o in r.outcomes), r.outcomes\n"
        "print('datasets' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_wrong_shapes_are_model_errors(tmp_path: Path) -> None:
    class Bad(HashEncoder):
        def encode(self, texts: Sequence[str], **kw: Any) -> NDArray[np.floating]:  # type: ignore[override]
            return super().encode(texts, **kw)[:-1]

    report = _run(Bad(), ["BIOSSES"], tmp_path)
    [failed] = report.failed
    assert "shape" in (failed.error or "") and "test/hash-encoder" in (failed.error or "")


def test_aggregate_task_is_the_mean_of_its_parts(tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    agg = catalog.get_task("CQADupstackRetrieval").model_copy(
        update={
            "name": "STSPair",
            "type": "STS",
            "main_score": "cosine_spearman",
            "aggregated_tasks": ["STS12", "BIOSSES"],
        }
    )
    report = _run(HashEncoder(), [agg], tmp_path)
    assert [o.task.name for o in report.outcomes] == ["STS12", "BIOSSES", "STSPair"]
    parts = [o.main_score for o in report.outcomes[:2]]
    written = json.loads((report.output_dir / "STSPair.json").read_text())
    [entry] = written["scores"]["test"]
    assert entry["main_score"] == pytest.approx(sum(parts) / 2, abs=1e-6)  # type: ignore[arg-type]
    assert entry["cosine_spearman"] == entry["main_score"]


def test_resumed_clustering_split_continues_the_random_stream(tmp_path: Path) -> None:
    """HumanConceptsClustering's three splits share one random stream: redoing only the middle
    split must give the numbers of a full run (the runner replays the first split's draws)."""
    full = _run(HashEncoder(), ["HumanConceptsClustering"], tmp_path / "a")
    path = full.output_dir / "HumanConceptsClustering.json"
    expected = json.loads(path.read_text())["scores"]
    partial = json.loads(path.read_text())
    del partial["scores"]["Rosch1975"]
    del partial["scores"]["McCloskey1978"]
    path.write_text(json.dumps(partial))
    again = _run(HashEncoder(), ["HumanConceptsClustering"], tmp_path / "a")
    assert again.outcomes[0].status == "resumed"
    assert json.loads(path.read_text())["scores"] == expected


def test_killed_run_leaves_no_partial_file_and_resumes(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    cmd = [
        sys.executable,
        "-c",
        "from emboard.cli.main import main; main()",
        "run",
        "-m",
        str(POTION),
        "--data-dir",
        str(TASKS_DIR),
        "--output-dir",
        str(tmp_path),
        "--model-name",
        POTION_NAME,
        "--model-revision",
        POTION_REVISION,
    ]
    for task in ("BIOSSES", "STS12", "STS13", "STS14", "STS15", "Banking77Classification"):
        cmd += ["-t", task]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    folder = tmp_path / "minishlab__potion-base-2M" / POTION_REVISION
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(folder.glob("*.json"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = [p for p in folder.glob("*.json") if p.name != "model_meta.json"]
    assert written, "the run was killed before writing anything"
    for path in written:
        json.loads(path.read_text())  # every file present is complete
    again = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stdout[-2000:]
    assert "cached" in again.stdout
    assert not list(folder.glob(".*.tmp"))
    assert len([p for p in folder.glob("*.json") if p.name != "model_meta.json"]) == 6


def test_persistent_embedding_cache_spares_a_rerun_all_encoding(tmp_path: Path) -> None:
    """``--embedding-cache DIR``: a second run (here: --overwrite) encodes nothing and writes the
    same scores; the default run keeps its embeddings in unnamed files, so nothing is left."""
    from typer.testing import CliRunner

    from emboard.cli.main import app

    def run(out: Path, *extra: str) -> dict[str, Any]:
        args = ["run", "-m", str(POTION), "-t", "BIOSSES", "-t", "STS12"]
        args += ["--data-dir", str(TASKS_DIR), "--output-dir", str(out), *extra]
        args += ["--model-name", POTION_NAME, "--model-revision", POTION_REVISION]
        done = CliRunner().invoke(app, args)
        assert done.exit_code == 0, done.output
        folder = out / "minishlab__potion-base-2M" / POTION_REVISION
        return {
            "encoded": int(done.output.split(" texts encoded")[0].rsplit(";", 1)[-1]),
            "scores": {
                t: json.loads((folder / f"{t}.json").read_text())["scores"]
                for t in ("BIOSSES", "STS12")
            },
        }

    cache = tmp_path / "emb"
    first = run(tmp_path / "a", "--embedding-cache", str(cache))
    again = run(tmp_path / "a", "--embedding-cache", str(cache), "--overwrite")
    plain = run(tmp_path / "b")
    assert first["encoded"] > 0 and again["encoded"] == 0 and plain["encoded"] == first["encoded"]
    assert again["scores"] == first["scores"] == plain["scores"]
    tables = list(cache.glob("minishlab__potion-base-2M/*/*/table.json"))
    assert len(tables) == 1 and json.loads(tables[0].read_text())["dim"] == 64
