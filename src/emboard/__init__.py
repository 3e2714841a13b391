"""emboard: an open, self-hostable embedding benchmark and leaderboard, compatible with MTEB.

``import emboard`` is cheap: the evaluation stack (torch, scikit-learn, ...) loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

MTEB_PROTOCOL_VERSION = "2.26.24"
"""The mteb release whose protocols (and numbers) emboard reproduces."""

__all__ = ["MTEB_PROTOCOL_VERSION", "__version__", "evaluate"]

if TYPE_CHECKING:
    from emboard.run import evaluate


def __getattr__(name: str) -> Any:
    if name == "evaluate":
        from emboard.run import evaluate

        return evaluate
    raise AttributeError(f"module 'emboard' has no attribute {name!r}")
