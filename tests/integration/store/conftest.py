"""Store fixtures: a fresh SQLite file and a fresh PostgreSQL database (never mocked)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from pg_database()


@pytest.fixture
def store(store_url: str):  # type: ignore[no-untyped-def]
    from emboard.store.db import open_store

    opened = open_store(store_url)
    yield opened
    opened.close()


MODELS = ("BAAI__bge-base-en", "google__flan-t5-base", "codefuse-ai__F2LLM-v2-80M")


@pytest.fixture
def results_dir(tmp_path: Path, snapshot_results: Path) -> Path:
    """Three real models' folders (legacy files, an `external` revision, experiments)."""
    root = tmp_path / "repo" / "results"
    for model in MODELS:
        shutil.copytree(snapshot_results / model, root / model)
    return root
