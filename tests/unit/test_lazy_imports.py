"""``import emboard`` and ``emboard --help`` must stay light (no torch, sklearn, datasets ...)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "torch",
    "sklearn",
    "scipy",
    "datasets",
    "sentence_transformers",
    "model2vec",
    "sqlalchemy",
    "fastapi",
    "mteb",
)


def test_cli_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['emboard', '--help']\n"
        "try:\n"
        "    from emboard.cli.main import main; main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "run" in out.stdout and "tasks" in out.stdout


def test_import_emboard_is_light() -> None:
    code = f"import sys, emboard; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
