"""The API's response bodies (pydantic; the OpenAPI schema is generated from them)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Cell = float | int | str | None
T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(_Out):
    """Every 4xx body."""

    detail: str
    parameter: str | None = None


class BenchmarkItem(_Out):
    """A benchmark in the list."""

    name: str
    display_name: str | None
    aliases: list[str]
    description: str | None
    n_tasks: int
    task_types: list[str]
    has_language_view: bool
    superseded_by: str | list[str] | None


class BenchmarkTaskOut(_Out):
    """A task as a benchmark uses it."""

    name: str
    type: str
    main_score: str
    eval_splits: list[str]
    hf_subsets: list[str]
    languages: list[str]
    domains: list[str]
    modalities: list[str]


class BenchmarkOut(BenchmarkItem):
    """A benchmark with its tasks and the values its filters can take."""

    reference: str | None
    citation: str | None
    tasks: list[BenchmarkTaskOut]
    languages: list[str]
    domains: list[str]
    modalities: list[str]
    language_view: list[str] | str


class MetricsOut(_Out):
    """The stored metrics of a benchmark's tasks (any of them is a valid ``metric``)."""

    benchmark: str
    metrics: list[str]
    by_task: dict[str, list[str]]


class TableOut(_Out):
    """One leaderboard table: raw values (scores 0–1), null for missing cells."""

    benchmark: str
    view: str
    metric: str
    columns: list[str]
    rows: list[list[Cell]]
    n_rows: int
    rank_column: str | None = None
    primary_metric_column: str | None = None
    type_columns: list[str] = Field(default_factory=list)
    task_columns: list[str] = Field(default_factory=list)
    task_types: dict[str, str] = Field(default_factory=dict)
    """Task column → task type (for the per-type tabs)."""
    show_zero_shot: bool = True


class TaskItem(_Out):
    """A task in the list."""

    name: str
    type: str
    main_score: str
    languages: list[str]
    domains: list[str]
    modalities: list[str]
    description: str


class TaskOut(_Out):
    """A task: its catalog metadata, benchmarks using it and how many models have results."""

    name: str
    type: str
    metadata: dict[str, Any]
    benchmarks: list[str]
    n_models: int
    dataset_url: str | None = None
    """The dataset's Hugging Face Hub page at the pinned revision (None when not on the Hub)."""


class Page(_Out, Generic[T]):
    """One page of a long list."""

    total: int
    offset: int
    limit: int
    items: list[T]


class ModelItem(_Out):
    """A model in the list."""

    name: str
    registered: bool
    n_parameters: int | None
    embed_dim: int | None
    revisions: int
    results: int
    open_weights: bool | None = None
    release_date: str | None = None


class EntryOut(_Out):
    """One (split, subset) main score."""

    split: str
    subset: str
    main_score: float | None


class ResultOut(_Out):
    """A model's result of one task (one revision / experiment), with its source."""

    task: str
    task_type: str | None
    revision: str
    experiment: str
    score: float | None
    """Mean main score over the stored (split, subset) entries."""
    n_entries: int
    entries: list[EntryOut] | None = None
    """Only with ``entries=true``."""
    source_kind: str
    source: str
    path: str
    commit: str | None
    ingest_id: int


class CoverageOut(_Out):
    """How many of a benchmark's tasks a model has results for."""

    benchmark: str
    tasks_total: int
    tasks_with_results: int


class ModelOut(_Out):
    """A model: metadata, every stored result with its source, benchmark coverage."""

    name: str
    registered: bool
    meta_source: str | None
    meta: dict[str, Any]
    revisions: list[str]
    results: list[ResultOut]
    benchmarks: list[CoverageOut]


class HistoryOut(_Out):
    """An earlier value an ingest replaced."""

    changed_at: str
    ingest_id: int
    what: str
    field: str
    old_value: Any
    new_value: Any


class ModelHistoryOut(_Out):
    """A model's changes, oldest first."""

    name: str
    history: list[HistoryOut]


class PointOut(_Out):
    """One summary row as a plot point (None where the value is unknown)."""

    model: str
    experiment: str
    rank: int | None
    score: float | None
    """The summary's primary score (Mean (Task) for most benchmarks), 0–1."""
    n_parameters: float | None
    memory_mb: float | None


class PointsOut(_Out):
    """The summary table as points: what the score-vs-size plots draw."""

    benchmark: str
    metric: str
    score_column: str
    points: list[PointOut]


class TaskScoreOut(_Out):
    """A model's score on one task (0–1)."""

    model: str
    experiment: str
    score: float


class HistogramOut(_Out):
    """Equal-width bins: ``counts[i]`` values lie in ``[edges[i], edges[i+1])`` (last closed)."""

    edges: list[float]
    counts: list[int]


class TaskScoresOut(_Out):
    """The best models on a task and the distribution of every model's score."""

    task: str
    benchmark: str | None
    """The benchmark whose per-task table gave the scores (None: every stored result)."""
    main_score: str
    n_models: int
    top: list[TaskScoreOut]
    histogram: HistogramOut
    mean: float | None
    median: float | None
