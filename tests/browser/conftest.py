"""A real ``emboard serve`` on a free port over a store of real snapshot models, and Chromium.

Debian's Chromium (``/usr/bin/chromium``) is driven by Playwright; no browser is downloaded. The
web app must be built (``make install`` runs ``npm ci && npm run build`` in ``web/``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.api.conftest import copy_models

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEB_DIST = REPO / "web" / "dist"
LAUNCH = "import typer; from emboard.cli.serve_cmd import serve; typer.run(serve)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"emboard serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if res.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"emboard serve did not answer {url} within {timeout} s")


@contextmanager
def serving(source: Path, root: Path, catalog, *args: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """``emboard serve [args]`` on a free port over a new SQLite store of ``source``: its URL."""
    from emboard.store.db import open_store
    from emboard.store.ingest import ingest

    if not (WEB_DIST / "index.html").is_file():
        pytest.fail(f"web app not built ({WEB_DIST}): run `make install`")
    url = f"sqlite:///{root / 'store.db'}"
    store = open_store(url)
    assert ingest(store, source, catalog).status == "done"
    store.close()
    port = free_port()
    cmd = [sys.executable, "-c", LAUNCH, "--db", url, "--port", str(port), *args]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/v1/benchmarks", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, snapshot_results: Path, catalog
) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The base URL of a running ``emboard serve`` (SQLite store of real models)."""
    root = tmp_path_factory.mktemp("browser")
    with serving(copy_models(snapshot_results, root / "source"), root, catalog) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (make install)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Console:
    """Console errors and dialogs a page produced."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []


def new_page(browser, width: int = 1280, height: int = 900):  # type: ignore[no-untyped-def]
    """A fresh page (own context) recording console errors and dialogs."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    console = Console()
    page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.errors.append(str(e)))

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        console.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.console = console  # type: ignore[attr-defined]
    return page


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A desktop-sized page; fails the test on CSP violations or script errors."""
    pg = new_page(browser)
    yield pg
    errors = [e for e in pg.console.errors if "favicon" not in e]
    pg.context.close()
    assert not errors, errors
