"""Evaluate a model on tasks: load data → encode unique texts once → score → write results.

A run resumes: (split, subset) entries already in a compatible result file are kept, the rest
are evaluated, and the file is rewritten atomically after every subset.
"""

from __future__ import annotations

import functools
import logging
import random
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from emboard import MTEB_PROTOCOL_VERSION, __version__
from emboard.data.build import build_record
from emboard.data.source import DataSource, make_source
from emboard.errors import EmboardError, ResultFormatError
from emboard.evaluators import get_evaluator
from emboard.evaluators.base import EvalContext
from emboard.heap import DEFAULT_MMAP_THRESHOLD, limit_heap_growth
from emboard.log import Progress, progress
from emboard.models.embedder import Embedder, EmbedStats
from emboard.models.embedding_cache import EmbeddingCache
from emboard.models.onednn import limit_primitive_cache
from emboard.models.protocol import Encoder
from emboard.results.io import (
    append_run_settings,
    read_task_result,
    revision_dir,
    write_model_meta,
    write_task_result,
)
from emboard.results.schema import TaskResult
from emboard.settings import Settings, get_settings
from emboard.tasks.catalog import Catalog, load_catalog
from emboard.tasks.metadata import ModelMeta, TaskMetadata
from emboard.tasks.selection import select_tasks, task_names_in_folder

logger = logging.getLogger(__name__)

Status = Literal["completed", "resumed", "cached", "failed"]


@dataclass
class TaskOutcome:
    """What happened to one task in a run."""

    task: TaskMetadata
    status: Status
    result: TaskResult | None = None
    error: str | None = None
    outcomes: dict[tuple[str, str], dict[str, NDArray[np.float64]]] = field(default_factory=dict)

    @property
    def main_score(self) -> float | None:
        """The task score (mean of main scores), if the task has one."""
        return self.result.main_score() if self.result and self.result.scores else None


@dataclass
class RunReport:
    """Everything a run produced; results are also on disk when an output folder was given."""

    model: ModelMeta
    outcomes: list[TaskOutcome]
    stats: EmbedStats
    output_dir: Path | None
    seconds: float

    @property
    def failed(self) -> list[TaskOutcome]:
        """Tasks that did not finish."""
        return [o for o in self.outcomes if o.status == "failed"]

    def results(self) -> dict[str, TaskResult]:
        """Task name → result for every task that has one."""
        return {o.task.name: o.result for o in self.outcomes if o.result is not None}


def _existing(path: Path, revision: str, overwrite: bool) -> TaskResult | None:
    if overwrite or not path.exists():
        return None
    try:
        old = read_task_result(path)
    except ResultFormatError as exc:
        logger.warning("Ignoring unreadable previous result (%s); re-evaluating", exc)
        return None
    if old.dataset_revision != revision:
        logger.warning("%s: dataset revision changed; re-evaluating", path)
        return None
    return old


def _new_result(task: TaskMetadata, revision: str) -> TaskResult:
    return TaskResult(
        dataset_revision=revision,
        task_name=task.name,
        mteb_version=MTEB_PROTOCOL_VERSION,
        scores={},
        evaluation_time=0.0,
        date=time.time(),
        emboard_version=__version__,
    )


@dataclass
class _TaskRun:
    task: TaskMetadata
    source: DataSource
    embedder: Embedder
    folder: Path | None
    overwrite: bool
    bar: Progress

    def run(self) -> TaskOutcome:
        revision = self.source.revision(self.task)
        path = self.folder / f"{self.task.name}.json" if self.folder else None
        old = _existing(path, revision, self.overwrite) if path else None
        result = old or _new_result(self.task, revision)
        subsets = self.source.subsets(self.task)
        pairs = [(sp, su) for sp in self.task.eval_splits for su in subsets]
        todo = [p for p in pairs if not result.has(*p)]
        if not todo:
            return TaskOutcome(self.task, "cached", result)
        outcome = TaskOutcome(
            self.task, "resumed" if len(todo) < len(pairs) else "completed", result
        )
        evaluator = get_evaluator(self.task.variant)
        rng = random.Random(42)
        np_rng = np.random.default_rng(42)
        bar_id = self.bar.add_task(
            f"  {self.task.name}", total=len(pairs), completed=len(pairs) - len(todo)
        )
        for split, subset in pairs:
            ctx = self._context(split, subset, rng, np_rng)
            if (split, subset) not in todo:
                if hasattr(evaluator, "advance_rng"):
                    evaluator.advance_rng(build_record(self.source, self.task, subset, split), ctx)
                continue
            self._evaluate(evaluator, ctx, result, outcome)
            if path:
                write_task_result(path, result)
            self.bar.advance(bar_id)
        self.bar.remove_task(bar_id)
        return outcome

    def _context(
        self, split: str, subset: str, rng: random.Random, np_rng: np.random.Generator
    ) -> EvalContext:
        sim = self.embedder.encoder.meta.similarity_fn_name or "cosine"
        return EvalContext(
            task_name=self.task.name,
            task_type=self.task.type,
            split=split,
            subset=subset,
            params=self.task.evaluation_params,
            similarity=sim if sim in ("cosine", "dot", "euclidean", "manhattan") else "cosine",  # type: ignore[arg-type]
            rng=rng,
            np_rng=np_rng,
        )

    def _evaluate(
        self, evaluator: object, ctx: EvalContext, result: TaskResult, outcome: TaskOutcome
    ) -> None:
        start = time.perf_counter()
        data = build_record(self.source, self.task, ctx.subset, ctx.split)
        embed = self.embedder.for_task(self.task.name, self.task.type, self.task.task_prompt)
        sub = evaluator.evaluate(data, embed, ctx)  # type: ignore[attr-defined]
        if self.task.main_score not in sub.scores:
            raise EmboardError(
                f"{self.task.name}: evaluator gave no {self.task.main_score!r} "
                f"(has: {', '.join(sorted(sub.scores))})"
            )
        entry = {
            **sub.scores,
            "main_score": sub.scores[self.task.main_score],
            "hf_subset": ctx.subset,
            "languages": self.task.languages(ctx.subset),
            "mteb_version": MTEB_PROTOCOL_VERSION,
        }
        result.set_entry(ctx.split, entry)
        result.evaluation_time = (result.evaluation_time or 0.0) + time.perf_counter() - start
        outcome.outcomes[(ctx.split, ctx.subset)] = sub.outcomes


def _resolve_tasks(
    catalog: Catalog,
    tasks: Sequence[str | TaskMetadata] | None,
    benchmarks: Sequence[str],
    data_dir: Path | None,
) -> list[TaskMetadata]:
    if tasks or benchmarks:
        chosen = select_tasks(catalog, tasks or (), benchmarks)
    elif data_dir is None:
        raise EmboardError(
            "Name tasks or benchmarks to run, or give a data folder to run all it holds"
        )
    else:
        chosen = select_tasks(catalog, task_names_in_folder(data_dir, catalog))
    return _with_aggregate_parts(catalog, chosen)


def _with_aggregate_parts(catalog: Catalog, tasks: list[TaskMetadata]) -> list[TaskMetadata]:
    """Put the parts of every aggregate task before it (once), so it can be combined."""
    ordered: dict[str, TaskMetadata] = {}
    for task in tasks:
        for part in task.aggregated_tasks or ():
            ordered.setdefault(part, catalog.get_task(part))
        ordered.setdefault(task.name, task)
    return list(ordered.values())


def _plan(
    settings: Settings,
    tasks: Sequence[str | TaskMetadata] | None,
    benchmarks: Sequence[str],
    root: Path | None,
    model: Encoder | str,
    model_name: str | None,
) -> tuple[list[TaskMetadata], ModelMeta | None]:
    """The tasks to run and the model's registered metadata. The catalog is read for this only
    and not kept (unless the process already holds it)."""
    catalog = load_catalog(settings, keep=False)
    selected = _resolve_tasks(catalog, tasks, benchmarks, root)
    registered = catalog.get_model(model_name or model) if isinstance(model, str) else None
    return selected, registered


def _load_encoder(
    model: Encoder | str,
    registered: ModelMeta | None,
    name: str | None,
    revision: str | None,
    device: str | None,
) -> Encoder:
    if not isinstance(model, str):
        return model
    from emboard.models.loader import load_model

    return load_model(model, name=name, revision=revision, device=device, registered=registered)


def evaluate(
    model: Encoder | str,
    tasks: Sequence[str | TaskMetadata] | None = None,
    *,
    benchmarks: Sequence[str] = (),
    data_dir: Path | str | None = None,
    output_dir: Path | str | None = Path("results"),
    batch_size: int = 32,
    device: str | None = None,
    overwrite: bool = False,
    model_name: str | None = None,
    model_revision: str | None = None,
    settings: Settings | None = None,
    show_progress: bool = True,
    mmap_threshold: int | None = DEFAULT_MMAP_THRESHOLD,
    embedding_cache: Path | str | None = None,
) -> RunReport:
    """Evaluate ``model`` (an ``Encoder``, Hub id or local folder) on tasks; see the README.

    A task that fails is reported in the returned ``RunReport`` (status ``failed`` with the
    reason) and the other tasks still run. Results go to
    ``output_dir/{org}__{model}/{revision}/{Task}.json`` unless ``output_dir`` is None.
    ``mmap_threshold`` fixes glibc's mmap threshold for the process (bytes; None leaves malloc
    alone), so activations freed after each batch go back to the OS (:mod:`emboard.heap`);
    oneDNN's primitive cache is capped too, unless the environment sets it
    (:mod:`emboard.models.onednn`).
    ``embedding_cache`` is a folder of embeddings kept for later runs of the same model
    (default: ``settings.embedding_cache``, else temporary files for this run only);
    ``":memory:"`` keeps them in the process (:mod:`emboard.models.embedding_cache`).
    """
    started = time.perf_counter()
    settings = settings or get_settings()
    root = Path(data_dir) if data_dir else settings.data_dir
    selected, registered = _plan(settings, tasks, benchmarks, root, model, model_name)
    source = make_source(settings, root)
    limit_heap_growth(mmap_threshold)
    limit_primitive_cache()
    encoder = _load_encoder(model, registered, model_name, model_revision, device)
    out = Path(output_dir) if output_dir is not None else None
    folder = revision_dir(out, encoder.meta.name, encoder.meta.revision) if out else None
    if folder:
        write_model_meta(folder, encoder.meta.model_dump(mode="json"))
        for stale in folder.glob(".*.tmp"):  # left by a run that was killed mid-write
            stale.unlink(missing_ok=True)
    with _embedding_cache(encoder, embedding_cache, settings) as cache:
        embedder = Embedder(encoder, batch_size=batch_size, cache=cache)
        outcomes = _run_all(
            selected, source, embedder, folder, overwrite, show_progress, batch_size
        )
    return RunReport(encoder.meta, outcomes, embedder.stats, folder, time.perf_counter() - started)


def _embedding_cache(
    encoder: Encoder, where: Path | str | None, settings: Settings
) -> EmbeddingCache:
    if where == ":memory:":
        return EmbeddingCache(encoder.meta)
    kept = where if where is not None else settings.embedding_cache
    if kept is not None:
        return EmbeddingCache(encoder.meta, Path(kept), persistent=True)
    return EmbeddingCache(encoder.meta, settings.cache_dir / "tmp")


def _run_all(
    tasks: list[TaskMetadata],
    source: DataSource,
    embedder: Embedder,
    folder: Path | None,
    overwrite: bool,
    show_progress: bool,
    batch_size: int,
) -> list[TaskOutcome]:
    outcomes: list[TaskOutcome] = []
    with progress(show_progress) as bar:
        overall = bar.add_task("Tasks", total=len(tasks))
        for task in tasks:
            bar.update(overall, description=f"Tasks ({task.name})")
            try:
                if task.is_aggregate:
                    outcome = _combine(task, outcomes, folder)
                else:
                    outcome = _TaskRun(task, source, embedder, folder, overwrite, bar).run()
            except Exception as exc:  # one task's failure must not stop the others
                logger.error("Task %s failed: %s", task.name, exc)
                logger.debug("%s", traceback.format_exc())
                outcome = TaskOutcome(task, "failed", error=f"{type(exc).__name__}: {exc}")
            if folder and outcome.status in ("completed", "resumed"):
                append_run_settings(folder, _run_settings_row(task, batch_size))
            outcomes.append(outcome)
            bar.advance(overall)
    return outcomes


def _combine(task: TaskMetadata, done: list[TaskOutcome], folder: Path | None) -> TaskOutcome:
    """An aggregate task's result from the results of its parts in this run."""
    from emboard.results.aggregate import combine

    results = {o.task.name: o.result for o in done if o.result is not None}
    result = combine(
        task_name=task.name,
        main_score_key=task.main_score,
        dataset_revision=task.dataset.revision,
        splits=task.eval_splits,
        languages=task.all_languages,
        parts=task.aggregated_tasks or [],
        results=results,
        mteb_version=MTEB_PROTOCOL_VERSION,
    )
    missing = [p for p in task.aggregated_tasks or [] if p not in results]
    if missing:
        return TaskOutcome(
            task, "failed", result, error=f"parts without results: {', '.join(missing)}"
        )
    if folder:
        write_task_result(folder / f"{task.name}.json", result)
    return TaskOutcome(task, "completed", result)


@functools.cache
def _versions() -> dict[str, str | None]:
    """Versions recorded in ``run_settings.jsonl`` (looked up once per process)."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {"emboard": __version__, "mteb": MTEB_PROTOCOL_VERSION}
    for pkg in ("torch", "sentence-transformers", "transformers", "model2vec"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    return versions


def _run_settings_row(task: TaskMetadata, batch_size: int) -> dict[str, object]:
    versions = _versions()
    return {
        "task": task.name,
        "splits": task.eval_splits,
        "subsets": task.hf_subsets,
        "version": versions,
        "encode_kwargs": {"batch_size": batch_size},
    }
