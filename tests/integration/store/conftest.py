"""Store fixtures: a fresh SQLite file and a fresh PostgreSQL database (never mocked)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get(
    "EMBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the local server; dropped afterwards."""
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"emboard_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server runs on every dev and CI machine: fail, never skip
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not usable: {exc}")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from _pg_database()


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
