"""Encoding both sides of a pair dataset (shared by STS and pair classification)."""

from __future__ import annotations

from emboard.evaluators.base import Embed, EvalContext
from emboard.types import FloatArray, PromptType


def _prompt_type(ctx: EvalContext, key: str) -> PromptType | None:
    value = ctx.params.get(key)
    return PromptType(value) if isinstance(value, str) else None


def embed_pairs(
    sentence1: list[str], sentence2: list[str], embed: Embed, ctx: EvalContext
) -> tuple[FloatArray, FloatArray]:
    """Embeddings of both columns, with the task's input prompt types (None for most tasks)."""
    emb1 = embed(sentence1, _prompt_type(ctx, "input1_prompt_type"))
    emb2 = embed(sentence2, _prompt_type(ctx, "input2_prompt_type"))
    return emb1, emb2
