"""The one exception hierarchy of emboard.

Every message names what is wrong (file, field, id, value) and what was expected, with
close matches for unknown names.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class EmboardError(Exception):
    """Base class of every error emboard raises on purpose."""


class TaskDefinitionError(EmboardError):
    """A task, benchmark or catalog entry is unknown or malformed."""


class DataError(EmboardError):
    """Evaluation data is missing or malformed."""


class ModelError(EmboardError):
    """A model failed to load or returned unusable embeddings."""


class ResultFormatError(EmboardError):
    """A results file cannot be read or does not follow the schema."""


class StoreError(EmboardError):
    """The results store cannot be used."""


class SubmissionError(EmboardError):
    """A submission cannot be queued or run."""


def close_matches(name: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """Names among ``candidates`` that look like ``name`` (case-insensitive), best first."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    contains = [c for c in pool if name.lower() in c.lower() and c.lower() not in hits]
    ordered = [lowered[h] for h in hits] + sorted(contains, key=len)
    return ordered[:n]


def unknown_name_message(kind: str, name: str, candidates: Iterable[str]) -> str:
    """``Unknown task 'X'. Did you mean: A, B?`` for any kind of named thing."""
    matches = close_matches(name, candidates)
    hint = f" Did you mean: {', '.join(matches)}?" if matches else ""
    return f"Unknown {kind} {name!r}.{hint}"
