"""Similarity between embeddings, computed as MTEB computes it (float32 torch tensors).

Matrix functions return ``[len(a), len(b)]``; pairwise functions return ``[len(a)]``.
Computing in float32 with torch, as MTEB does, matters: ties and near-ties decide rankings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from emboard.errors import EmboardError

if TYPE_CHECKING:
    import torch

    from emboard.types import FloatArray

SIMILARITY_NAMES = ("cosine", "dot", "euclidean", "manhattan")


def _tensor(a: FloatArray) -> torch.Tensor:
    """A float32 tensor over ``a``; views with a zero stride (``x[None, :]``) are copied first,
    since torch would send them down another matmul kernel that rounds differently."""
    import torch

    arr = np.asarray(a, dtype=np.float32)
    if 0 in arr.strides:
        arr = arr.copy()
    return torch.as_tensor(arr)


def _normalize(t: torch.Tensor) -> torch.Tensor:
    import torch

    return torch.nn.functional.normalize(t, p=2, dim=1)


def similarity_matrix(a: FloatArray, b: FloatArray, name: str = "cosine") -> FloatArray:
    """All-pairs similarity of rows of ``a`` with rows of ``b``."""
    import torch

    ta, tb = _tensor(a), _tensor(b)
    if name == "cosine":
        out = _normalize(ta) @ _normalize(tb).T
    elif name == "dot":
        out = ta @ tb.T
    elif name == "euclidean":
        out = -torch.cdist(ta, tb, p=2.0)
    elif name == "manhattan":
        out = -torch.cdist(ta, tb, p=1.0)
    else:
        raise EmboardError(
            f"Unknown similarity function {name!r}; expected one of {SIMILARITY_NAMES}"
        )
    result: FloatArray = out.numpy()
    return result


def similarity_pairwise(a: FloatArray, b: FloatArray, name: str = "cosine") -> FloatArray:
    """Similarity of ``a[i]`` with ``b[i]`` for every i."""
    import torch

    ta, tb = _tensor(a), _tensor(b)
    if name == "cosine":
        out = (_normalize(ta) * _normalize(tb)).sum(dim=-1)
    elif name == "dot":
        out = (ta * tb).sum(dim=-1)
    elif name == "euclidean":
        out = -torch.sqrt(((ta - tb) ** 2).sum(dim=-1))
    elif name == "manhattan":
        out = -(ta - tb).abs().sum(dim=-1)
    else:
        raise EmboardError(
            f"Unknown similarity function {name!r}; expected one of {SIMILARITY_NAMES}"
        )
    result: FloatArray = out.numpy()
    return result
