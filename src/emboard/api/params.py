"""Query parameters of the table endpoints → a :class:`LeaderboardFilter` and a metric.

Each filter of ``emboard leaderboard --filter`` is one query parameter of the same name
(``type``, ``language``, … repeatable or comma-separated; ``max_params=1B``; ``open_weights=true``;
``search`` for ``name``),
validated one by one so that an error names the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Query

from emboard.api.errors import BadParameterError
from emboard.api.lookup import vocabulary
from emboard.api.state import ApiState, get_state
from emboard.errors import close_matches
from emboard.leaderboard.filter_args import FilterError, parse_filters
from emboard.leaderboard.filters import LeaderboardFilter

ListParam = Annotated[list[str] | None, Query()]
TextParam = Annotated[str | None, Query()]


class Format(StrEnum):
    """How a table is returned: columns and rows (default), or as a CSV / JSON file."""

    table = "table"
    csv = "csv"
    json = "json"


@dataclass(frozen=True, slots=True)
class TableQuery:
    """The parsed selections of one table request."""

    filters: LeaderboardFilter | None
    metric: str | None
    format: Format


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for raw in values or () for v in raw.split(",") if v.strip()]


def _check_values(state: ApiState, key: str, values: list[str]) -> None:
    known = vocabulary(state.catalog)[key]
    for value in values:
        if value not in known:
            matches = close_matches(value, known)
            hint = f" Did you mean: {', '.join(matches)}?" if matches else ""
            raise BadParameterError(key, f"unknown value {value!r}.{hint}")


def filter_items(
    state: ApiState, lists: dict[str, list[str] | None], scalars: dict[str, str | None]
) -> list[str]:
    """``key=value`` strings for :func:`parse_filters`, each checked on its own."""
    items: list[str] = []
    for key, raw in lists.items():
        values = _split(raw)
        if key in ("type", "domain", "modality", "language", "task"):
            _check_values(state, key, values)
        items.extend(f"{key}={v}" for v in values)
    for key, value in scalars.items():
        if value is None or value == "":
            continue
        item = f"{key}={value}"
        try:
            parse_filters([item])
        except FilterError as exc:
            raise BadParameterError(key, str(exc)) from None
        items.append(item)
    return items


def table_query(
    state: Annotated[ApiState, Depends(get_state)],
    type: ListParam = None,
    domain: ListParam = None,
    language: ListParam = None,
    modality: ListParam = None,
    task: ListParam = None,
    model_type: ListParam = None,
    framework: ListParam = None,
    min_params: Annotated[str | None, Query(description="e.g. 100M, 1.5B")] = None,
    max_params: Annotated[str | None, Query(description="e.g. 1B")] = None,
    open_weights: Annotated[str | None, Query(description="true or false")] = None,
    instructions: Annotated[str | None, Query(description="true or false")] = None,
    zero_shot: Annotated[
        str | None, Query(description="allow_all, remove_unknown or only_zero_shot")
    ] = None,
    search: Annotated[str | None, Query(description="Substring of the model name")] = None,
    metric: Annotated[
        str | None, Query(description="A stored metric (default: main score)")
    ] = None,
    format: Annotated[Format, Query()] = Format.table,
) -> TableQuery:
    """The table endpoints' query parameters (a FastAPI dependency)."""
    lists = {
        "type": type,
        "domain": domain,
        "language": language,
        "modality": modality,
        "task": task,
        "model_type": model_type,
        "framework": framework,
    }
    scalars = {
        "min_params": min_params,
        "max_params": max_params,
        "open_weights": open_weights,
        "instructions": instructions,
        "zero_shot": zero_shot,
        "name": search,
    }
    items = filter_items(state, lists, scalars)
    chosen = None if metric in (None, "", "main_score") else metric
    return TableQuery(filters=parse_filters(items), metric=chosen, format=format)
