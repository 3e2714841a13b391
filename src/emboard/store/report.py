"""What an ingest did: counts, and every file it could not read with the reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that was not ingested, and why."""

    path: str
    reason: str


@dataclass
class IngestReport:
    """Counts and problems of one ingest of one source."""

    source: str
    kind: str
    ingest_id: int | None = None
    status: str = "running"
    """``done``; ``unchanged`` (the source's fingerprint equals the last ingest's, or reading it
    changed nothing in the store); or ``failed``."""
    fingerprint: str | None = None
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    models_new: int = 0
    models_changed: int = 0
    values_added: int = 0
    values_changed: int = 0
    catalog_synced: bool = False
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    def problem(self, path: str, reason: str) -> None:
        """Record a file that could not be ingested."""
        self.problems.append(Problem(path, reason))

    @property
    def changed_anything(self) -> bool:
        """True when the ingest wrote or replaced anything the tables are built from."""
        return bool(
            self.files_new
            or self.files_changed
            or self.files_removed
            or self.models_new
            or self.models_changed
            or self.values_changed
            or self.catalog_synced
        )

    @property
    def files_bad(self) -> int:
        """How many files could not be ingested."""
        return len(self.problems)

    def counts(self) -> dict[str, Any]:
        """The counts as a dict (what the ``ingest`` row keeps)."""
        data = asdict(self)
        data.pop("problems")
        data["files_bad"] = self.files_bad
        return data
