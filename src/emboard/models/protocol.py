"""The encoder protocol: what any model must offer to be evaluated by emboard.

Implement it to plug in any model from Python::

    class MyEncoder:
        meta = ModelMeta(name="me/my-model", revision="v1", embed_dim=128)
        distinguishes_prompt_types = False

        def prompt_for(self, request: EncodeRequest) -> str | None:
            return None                      # no instruction / prefix

        def encode(self, texts, *, prompt, prompt_type, batch_size):
            return my_model(texts)           # float array [len(texts), dim]

    emboard.evaluate(MyEncoder(), ["STS12"])

``prompt_for`` tells which prompt text the model will use for a request, so that the run's
embedding cache can reuse an embedding wherever the same (text, prompt) recurs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from emboard.tasks.metadata import ModelMeta
from emboard.types import PromptType


@dataclass(frozen=True, slots=True)
class EncodeRequest:
    """What is being encoded: the task, its type and the role of the texts."""

    task_name: str
    task_type: str
    prompt_type: PromptType | None = None
    task_prompt: str | None = None


@runtime_checkable
class Encoder(Protocol):
    """A text embedding model."""

    meta: ModelMeta
    distinguishes_prompt_types: bool
    """True when query and document encodings of the same text and prompt may differ."""

    def prompt_for(self, request: EncodeRequest) -> str | None:
        """The prompt text this model uses for ``request`` (None = no prompt)."""
        ...

    def encode(
        self,
        texts: Sequence[str],
        *,
        prompt: str | None,
        prompt_type: PromptType | None,
        batch_size: int,
    ) -> NDArray[np.floating]:
        """Embeddings ``[len(texts), dim]`` in input order."""
        ...
