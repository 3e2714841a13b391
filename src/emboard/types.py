"""Small shared types: JSON values, prompt types, arrays."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray
from typing_extensions import TypeAliasType

JSONValue = TypeAliasType(
    "JSONValue",
    "float | int | str | bool | None | list[JSONValue] | dict[str, JSONValue]",
)
"""What a score dict may hold: the values MTEB writes in a result file."""

ScoreDict: TypeAlias = dict[str, JSONValue]

FloatArray: TypeAlias = NDArray[np.float32]
Float64Array: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]


class PromptType(StrEnum):
    """Role of a text for models that encode queries and documents differently."""

    query = "query"
    document = "document"
