"""Where task data comes from: one protocol, two implementations chosen by configuration.

A source reads *parts* of a task as Arrow tables: ``rows`` of a split (most task types) or the
retrieval parts ``corpus``, ``queries``, ``qrels``, ``top_ranked``, ``instruction`` and
``qrel_diff`` (FollowIR: per query, the documents whose judgement the instruction changed).
``data.build`` turns parts into records the same way whichever source read them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

    from emboard.settings import Settings
    from emboard.tasks.metadata import TaskMetadata

Part = Literal["rows", "corpus", "queries", "qrels", "top_ranked", "instruction", "qrel_diff"]


class DataSource(Protocol):
    """Reads parts of a task's data."""

    name: str

    def has_task(self, task: TaskMetadata) -> bool:
        """True when this source can provide the task's data."""
        ...

    def has_part(self, task: TaskMetadata, subset: str, part: Part, split: str) -> bool:
        """True when an optional part (``top_ranked``, ``instruction``) exists."""
        ...

    def read(self, task: TaskMetadata, subset: str, part: Part, split: str) -> pa.Table:
        """One part of one (subset, split) as an Arrow table."""
        ...

    def revision(self, task: TaskMetadata) -> str:
        """The dataset revision results are recorded with."""
        ...

    def subsets(self, task: TaskMetadata) -> list[str]:
        """The task's subsets this source holds data for (in the task's order)."""
        ...


def make_source(settings: Settings, data_dir: Path | None = None) -> DataSource:
    """A local folder source when a data directory is configured, else the Hugging Face Hub."""
    root = data_dir or settings.data_dir
    if root is not None:
        from emboard.data.local import LocalSource

        return LocalSource(root)
    from emboard.data.hub import HubSource

    return HubSource()
