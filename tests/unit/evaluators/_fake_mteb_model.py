"""A fake encoder served to both mteb (as an EncoderProtocol model) and emboard (as ``embed``),
returning fixed embeddings looked up by text, so both sides score the same vectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from emboard.types import FloatArray, PromptType


class FakeEncoder:
    """Text → fixed float32 vector (seeded), same answer for mteb and emboard."""

    def __init__(self, texts: Sequence[str], dim: int = 16, seed: int = 0, spread: Any = None):
        rng = np.random.default_rng(seed)
        unique = list(dict.fromkeys(texts))
        vectors = rng.standard_normal((len(unique), dim)).astype(np.float32)
        if spread is not None:  # optional per-text offsets (e.g. class centroids)
            vectors += np.stack([spread[t] for t in unique]).astype(np.float32)
        self.table = dict(zip(unique, vectors, strict=True))
        self.calls: list[int] = []

    # emboard's Embed protocol
    def __call__(self, texts: Sequence[str], prompt_type: PromptType | None = None) -> FloatArray:
        self.calls.append(len(texts))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.table[t] for t in texts])

    # mteb's EncoderProtocol
    mteb_model_meta = None

    def encode(self, inputs: Any, **kwargs: Any) -> FloatArray:
        texts = [t for batch in inputs for t in batch["text"]]
        return np.stack([self.table[t] for t in texts])

    def similarity(self, a: Any, b: Any) -> Any:  # pragma: no cover - unused
        raise NotImplementedError

    def similarity_pairwise(self, a: Any, b: Any) -> Any:  # pragma: no cover - unused
        raise NotImplementedError


def fresh_task(name: str) -> Any:
    """A new mteb task instance (its own rng_state/np_rng seeded 42)."""
    import mteb

    return type(mteb.get_task(name))()


def run_mteb(task: Any, dataset: Any, model: FakeEncoder, split: str) -> dict[str, Any]:
    """mteb's own ``evaluate`` for one split on in-memory data (no download)."""
    task.dataset = dataset
    task.data_loaded = True
    scores = task.evaluate(model, split=split, encode_kwargs={"batch_size": 32})
    out: dict[str, Any] = dict(scores["default"])
    out.pop("main_score", None)
    return out


def assert_same(ours: Any, theirs: Any, where: str = "", tol: float = 1e-9) -> None:
    """Recursive equality of score structures (NaN == NaN, floats within ``tol``)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        assert set(ours) == set(theirs), f"{where}: keys {sorted(ours)} != {sorted(theirs)}"
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}.{key}", tol)
    elif isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, f"{where}[{i}]", tol)
    elif theirs is None:
        assert ours is None, where
    else:
        a, b = float(ours), float(theirs)
        assert (np.isnan(a) and np.isnan(b)) or abs(a - b) <= tol, f"{where}: {a} != {b}"
