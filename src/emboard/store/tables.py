"""The results store's tables (SQLAlchemy 2 declarative); the only module that defines them.

Layout, in dependency order:

* ``source``: where results come from (a results-repo folder, a git checkout, an archive, a
  model card, an emboard results folder), with the fingerprint of what was last ingested.
* ``ingest``: one row per ingest run, with its counts and report; every change points to one.
* ``model`` / ``revision``: models with their metadata (registry, ``model_meta.json``, cards)
  and the revisions results were filed under.
* ``task`` / ``benchmark``: the catalog's tasks and benchmarks.
* ``result_file``: one task result of one model revision from one source file.
* ``score``: one (split, subset) of a result file: main score, languages, every metric.
* ``result_pack`` / ``score_key``: a result file's main scores packed, what the leaderboard
  reads (``store/pack.py``); written with the score rows.
* ``history``: earlier values of anything an ingest changed (scores, model metadata), and when.

Later issues (submissions, evaluation runs, per-item outcomes, measured speed) add tables by
migration; nothing here needs to change for them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every store table."""


class Source(Base):
    """A place results are read from."""

    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("kind", "location", name="uq_source_kind_location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    """``directory``, ``git``, ``archive``, ``model-card``."""
    location: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(128), default=None)
    """Last ingested commit (git) or content hash (archive, card)."""
    last_ingest_id: Mapped[int | None] = mapped_column(Integer, default=None)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    """Lower wins when several sources hold the same result (runs < repo < cards)."""


class Ingest(Base):
    """One ingest run and what it did."""

    __tablename__ = "ingest"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    status: Mapped[str] = mapped_column(String(16), default="running")
    """``running``, ``done``, ``failed``, ``unchanged``."""
    fingerprint: Mapped[str | None] = mapped_column(String(128), default=None)
    counts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    problems: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    """``[{"path", "reason"}]`` for every file that could not be ingested."""


class Model(Base):
    """A model and its current metadata (earlier values live in ``history``)."""

    __tablename__ = "model"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    registered: Mapped[bool] = mapped_column(Boolean, default=False)
    """True when the model is in MTEB's registry (the catalog)."""
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """ModelMeta fields as MTEB writes them (``model_meta.json`` / registry)."""
    meta_source: Mapped[str | None] = mapped_column(String(32), default=None)
    """``registry``, ``model_meta.json`` or ``model-card``."""
    n_parameters: Mapped[int | None] = mapped_column(BigInteger, default=None)
    memory_usage_mb: Mapped[float | None] = mapped_column(Float, default=None)
    embed_dim: Mapped[int | None] = mapped_column(Integer, default=None)
    max_tokens: Mapped[float | None] = mapped_column(Float, default=None)
    open_weights: Mapped[bool | None] = mapped_column(Boolean, default=None)
    use_instructions: Mapped[bool | None] = mapped_column(Boolean, default=None)
    license: Mapped[str | None] = mapped_column(String(200), default=None)
    release_date: Mapped[str | None] = mapped_column(String(32), default=None)
    updated_ingest_id: Mapped[int | None] = mapped_column(Integer, default=None)


class Revision(Base):
    """A model revision results were filed under (a commit, ``external``, ``no_revision…``)."""

    __tablename__ = "revision"
    __table_args__ = (
        UniqueConstraint("model_id", "name", "experiment", name="uq_revision_model_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("model.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    experiment: Mapped[str] = mapped_column(String(300), default="")
    """MTEB's experiment name (from ``experiment_kwargs``), empty for the plain revision."""
    variant: Mapped[str] = mapped_column(String(300), default="")
    """MTEB's ``_experiment_id``: the experiment over meaningful kwargs (rows pool by it)."""
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    """This revision's ``model_meta.json``, when it has one."""


class Task(Base):
    """A task of the catalog."""

    __tablename__ = "task"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    main_score: Mapped[str] = mapped_column(String(128))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Benchmark(Base):
    """A benchmark of the catalog."""

    __tablename__ = "benchmark"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ResultFile(Base):
    """One task result of one model revision, as one source holds it."""

    __tablename__ = "result_file"
    __table_args__ = (
        UniqueConstraint("source_id", "path", name="uq_result_file_source_path"),
        Index("ix_result_file_revision", "revision_id"),
        Index(
            "ix_result_file_task_cover",
            "task_name",
            "removed_ingest_id",
            "id",
            "revision_id",
            "mteb_version",
            "source_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    path: Mapped[str] = mapped_column(Text)
    """Path inside the source (``results/org__model/rev/Task.json``)."""
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    task_name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    stamp: Mapped[str | None] = mapped_column(String(64), default=None)
    """Size and mtime when read from a folder (an unchanged stamp skips reading the file)."""
    file_schema: Mapped[str] = mapped_column(String(16))
    """``current``, ``legacy`` or ``model-card``."""
    dataset_revision: Mapped[str | None] = mapped_column(String(200), default=None)
    mteb_version: Mapped[str | None] = mapped_column(String(64), default=None)
    evaluation_time: Mapped[float | None] = mapped_column(Float, default=None)
    date: Mapped[float | None] = mapped_column(Float, default=None)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    commit: Mapped[str | None] = mapped_column(String(64), default=None)
    """The results-repo commit the file was read at, when known."""
    ingest_id: Mapped[int] = mapped_column(Integer)
    """The ingest that last wrote the file's values."""
    removed_ingest_id: Mapped[int | None] = mapped_column(Integer, default=None)
    """Set when a later full read of the source no longer had the file (kept, not deleted)."""


class Score(Base):
    """One (split, subset) of a result file."""

    __tablename__ = "score"
    __table_args__ = (
        Index("ix_score_main_cover", "result_id", "split", "subset", "languages", "main_score"),
    )
    # Not unique per (split, subset): a few real files list one subset twice; both are kept.

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("result_file.id"))
    split: Mapped[str] = mapped_column(String(64))
    subset: Mapped[str] = mapped_column(String(200))
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    main_score: Mapped[float | None] = mapped_column(Float, default=None)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    """Every numeric value of the entry, ``main_score`` included; non-finite as strings."""
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)


class ResultPack(Base):
    """A result file's score entries packed for the leaderboard (``store/pack.py``): one row
    per file, clustered by task on SQLite so a benchmark's packs are read in one range."""

    __tablename__ = "result_pack"
    __table_args__ = ({"sqlite_with_rowid": False},)

    task_name: Mapped[str] = mapped_column(String(300), primary_key=True)
    """The file's task (as ``result_file.task_name``)."""
    result_id: Mapped[int] = mapped_column(ForeignKey("result_file.id"), primary_key=True)
    main_scores: Mapped[bytes] = mapped_column(LargeBinary)
    """Per entry, in file order: main score (NaN for none) and ``score_key`` hash."""


class ScoreKey(Base):
    """A (split, subset, languages) of score entries, by the hash packs refer to it with."""

    __tablename__ = "score_key"

    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(Text)
    """JSON: ``[split, subset, [language, ...]]``."""


class History(Base):
    """An earlier value that an ingest replaced."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ingest_id: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    entity: Mapped[str] = mapped_column(String(16))
    """``score`` (entity_id = score.id), ``model`` (model.id) or ``result`` (result_file.id)."""
    entity_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSONType, nullable=True)


class BoardCache(Base):
    """Built leaderboards, valid while ``generation`` is the store's latest finished ingest."""

    __tablename__ = "board_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
