"""Prompt resolution as MTEB does it for prefix-style (sentence-transformers) models."""

from __future__ import annotations

from collections.abc import Mapping

from emboard.models.protocol import EncodeRequest


def prompt_key(prompts: Mapping[str, str], request: EncodeRequest) -> str | None:
    """The key of ``prompts`` to use, in MTEB's order of priority.

    1. ``"{TaskName}-{prompt_type}"``, 2. ``"{TaskName}"``, 3. ``"{TaskType}-{prompt_type}"``,
    4. ``"{TaskType}"``, 5. ``"{prompt_type}"``; else None.
    """
    ptype = request.prompt_type.value if request.prompt_type else None
    candidates = []
    if ptype:
        candidates.append(f"{request.task_name}-{ptype}")
    candidates.append(request.task_name)
    if ptype:
        candidates.append(f"{request.task_type}-{ptype}")
    candidates.append(request.task_type)
    if ptype:
        candidates.append(ptype)
    return next((key for key in candidates if key in prompts), None)


def resolve_prompt(prompts: Mapping[str, str], request: EncodeRequest) -> str | None:
    """The prompt text for a request, or None."""
    key = prompt_key(prompts, request)
    return prompts[key] if key is not None else None
