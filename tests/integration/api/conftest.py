"""An API over a store filled from real snapshot folders (SQLite and the local PostgreSQL).

Five real models plus a copy of one under a hostile name (``<img src=x onerror=alert(1)>``), so
every test also sees untrusted text come back as data.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import pg_database

MODELS = (
    "BAAI__bge-small-en-v1.5",
    "minishlab__potion-base-8M",
    "thenlper__gte-small",
    "intfloat__e5-small-v2",
    "sentence-transformers__all-MiniLM-L6-v2",
)
XSS_NAME = "<img src=x onerror=alert(1)>"


def copy_models(snapshot: Path, root: Path) -> Path:
    """The five models' folders and the hostile copy under ``root/results``; returns ``root``."""
    results = root / "results"
    for model in MODELS:
        shutil.copytree(snapshot / model, results / model)
    hostile = results / XSS_NAME
    shutil.copytree(snapshot / "thenlper__gte-small", hostile)
    for meta_file in hostile.rglob("model_meta.json"):
        meta = json.loads(meta_file.read_text())
        meta["name"] = XSS_NAME
        meta_file.write_text(json.dumps(meta))
    return root


@pytest.fixture(scope="session")
def api_source(tmp_path_factory: pytest.TempPathFactory, snapshot_results: Path) -> Path:
    """A results folder of real snapshot models (read-only for the tests)."""
    return copy_models(snapshot_results, tmp_path_factory.mktemp("api-source"))


def _pg_url() -> Iterator[str]:
    yield from pg_database("emboard_api")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def filled_store(request: pytest.FixtureRequest, tmp_path_factory, api_source: Path, catalog):  # type: ignore[no-untyped-def]
    """A store holding ``api_source``, once on SQLite and once on PostgreSQL."""
    from emboard.store.db import open_store
    from emboard.store.ingest import ingest

    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('api-db') / 's.db'}"])
    else:
        urls = _pg_url()
    url = next(urls)
    store = open_store(url)
    report = ingest(store, api_source, catalog)
    assert report.status == "done", report
    yield store
    store.close()
    next(urls, None)


@pytest.fixture(scope="session")
def client(filled_store, catalog):  # type: ignore[no-untyped-def]
    """A TestClient of ``create_app`` on the filled store (no web app built)."""
    from fastapi.testclient import TestClient

    from emboard.api.app import create_app

    with TestClient(create_app(filled_store, catalog, web_dir=Path("/nonexistent"))) as tc:
        yield tc
