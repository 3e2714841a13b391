"""Logging set-up for the CLI and the one progress-bar helper."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Progress(Protocol):
    """The part of a progress display that library code uses."""

    def add_task(self, description: str, **kw: Any) -> Any: ...
    def update(self, task_id: Any, **kw: Any) -> None: ...
    def advance(self, task_id: Any, advance: float = 1) -> None: ...
    def remove_task(self, task_id: Any) -> None: ...


class _NoProgress:
    def add_task(self, description: str, **kw: Any) -> int:
        return 0

    def update(self, task_id: Any, **kw: Any) -> None:
        return None

    def advance(self, task_id: Any, advance: float = 1) -> None:
        return None

    def remove_task(self, task_id: Any) -> None:
        return None


@contextmanager
def progress(enabled: bool = True) -> Iterator[Progress]:
    """A Rich progress display on a terminal; silent when disabled or off a TTY."""
    if not enabled or not sys.stderr.isatty():
        yield _NoProgress()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as RichProgress

    with RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        yield bar


def setup_logging(verbosity: int = 0) -> None:
    """Rich log output on stderr for the CLI (level by ``-v`` count)."""
    from rich.logging import RichHandler

    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(
        level=level, format="%(message)s", handlers=[RichHandler(show_path=False)], force=True
    )
