"""The peer: mteb 2.26.24 itself, unchanged, offline, on the local rows of ../shared/data/tasks.

mteb fetches data only through ``datasets.load_dataset``, ``get_dataset_config_names`` and
``get_dataset_split_names``; this script substitutes those three with functions that serve the
local rows as in-memory ``Dataset``/``DatasetDict`` objects in the layout of each task's Hugging
Face dataset (and raise for any other dataset), so every mteb task class, transform and
evaluator runs unchanged. Results are written by mteb into ``OUT/results/{model}/{revision}/``.
Prints one JSON summary line (wall time, peak RSS, main scores, texts encoded).

    python benchmarks/peer_mteb.py --model PATH --data-dir DIR --output-dir OUT [--tasks T ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DERIVED = "SciFactReranking-derived"
DERIVED_PATH = "emboard/scifact-reranking-derived"
FOLDER_ALIASES = {"TwitterURLCorpus": "TwitterURLCorpus-test-subset"}
HF_COLUMN_NAMES = {"TwitterURLCorpus": {"sentence1": "sent1", "sentence2": "sent2"}}
REGISTERED = {
    "potion-base-2M": ("minishlab/potion-base-2M", "model2vec"),
    "model": ("sentence-transformers/all-MiniLM-L6-v2", "sentence-transformers"),
}


def _table(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.json as pajson

    with pa.input_stream(str(path), compression="detect") as stream:
        return pajson.read_json(stream, read_options=pajson.ReadOptions(block_size=1 << 26))


def _ds(path: Path) -> Any:
    from datasets import Dataset

    return Dataset(_table(path))


def _splits(folder: Path) -> Any:
    from datasets import DatasetDict

    files = sorted(p for p in folder.iterdir() if p.is_file() and ".jsonl" in p.name)
    return DatasetDict({p.name.split(".jsonl")[0]: _ds(p) for p in files})


class LocalHub:
    """Serves local task folders as the Hugging Face datasets mteb asks for."""

    def __init__(self, data_dir: Path, tasks: list[Any]) -> None:
        self.by_path: dict[str, tuple[str, Path]] = {}
        for task in tasks:
            name = task.metadata.name
            folder = data_dir / FOLDER_ALIASES.get(name, name)
            self.by_path[task.metadata.dataset["path"]] = (name, folder)

    def _entry(self, path: str) -> tuple[str, Path]:
        if path not in self.by_path:
            raise FileNotFoundError(f"peer_mteb: no local rows for dataset {path!r}")
        return self.by_path[path]

    def config_names(self, path: str, *args: Any, **kwargs: Any) -> list[str]:
        _, folder = self._entry(path)
        if (folder / "corpus.jsonl.gz").exists() or (folder / "corpus.jsonl").exists():
            return ["corpus", "queries", "default"]
        subsets = [p.name for p in folder.iterdir() if p.is_dir()]
        return subsets or ["default"]

    def split_names(
        self, path: str, config_name: str | None = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        _, folder = self._entry(path)
        if config_name in ("corpus", "queries", "default", None) and (folder / "qrels").is_dir():
            return [p.stem for p in (folder / "qrels").iterdir()]
        return list(_splits(folder / (config_name or "")).keys())

    def load(
        self, path: str, name: str | None = None, split: str | None = None, **kwargs: Any
    ) -> Any:
        _, folder = self._entry(path)
        if (folder / "qrels").is_dir() and name in ("corpus", "queries", "default"):
            if name == "default":
                import pyarrow.csv as pacsv
                from datasets import Dataset

                table = pacsv.read_csv(
                    str(folder / "qrels" / f"{split}.tsv"),
                    parse_options=pacsv.ParseOptions(delimiter="\t"),
                )
                return Dataset(table)
            found = next(p for p in folder.iterdir() if p.name.startswith(name + ".jsonl"))
            return _ds(found)
        subsets = sorted(p for p in folder.iterdir() if p.is_dir())
        if name is None and subsets:  # "fast loading": one table with a lang column
            return self._merged(subsets, split)
        sub = folder / name if name and (folder / name).is_dir() else folder
        dd = _splits(sub)
        if self._entry(path)[0] in HF_COLUMN_NAMES:  # local rows use the transformed names
            dd = dd.rename_columns(HF_COLUMN_NAMES[self._entry(path)[0]])
        return dd[split] if split else dd

    @staticmethod
    def _merged(subsets: list[Path], split: str | None) -> Any:
        from datasets import DatasetDict, concatenate_datasets

        parts: dict[str, list[Any]] = {}
        for sub in subsets:
            for name, ds in _splits(sub).items():
                parts.setdefault(name, []).append(ds.add_column("lang", [sub.name] * len(ds)))
        dd = DatasetDict({name: concatenate_datasets(dss) for name, dss in parts.items()})
        return dd[split] if split else dd


def _patch(hub: LocalHub) -> None:
    import datasets
    import mteb.abstasks.retrieval_dataset_loaders as loaders
    from mteb.abstasks import abstask

    for module in (datasets, abstask, loaders):
        if hasattr(module, "load_dataset"):
            module.load_dataset = hub.load  # type: ignore[attr-defined]
        if hasattr(module, "get_dataset_config_names"):
            module.get_dataset_config_names = hub.config_names  # type: ignore[attr-defined]
        if hasattr(module, "get_dataset_split_names"):
            module.get_dataset_split_names = hub.split_names  # type: ignore[attr-defined]


def _derived_task() -> Any:
    import mteb
    from mteb.abstasks.text import reranking

    base = mteb.get_task("SciDocsRR").metadata
    meta = base.model_copy(
        update={
            "name": DERIVED,
            "dataset": {"path": DERIVED_PATH, "revision": "local"},
            "adapted_from": None,
            "description": "SciFact queries reranked over their judged documents",
        }
    )
    reranking.OLD_FORMAT_RERANKING_TASKS.append(DERIVED)

    class SciFactRerankingDerived(reranking.AbsTaskReranking):  # type: ignore[misc]
        metadata = meta

    return SciFactRerankingDerived()


def _tasks(data_dir: Path, names: list[str] | None) -> list[Any]:
    import mteb

    if not names:
        names = sorted({p.name for p in data_dir.iterdir() if p.is_dir()})
        names = [n for n in names if n != "TwitterURLCorpus-test-subset"] + ["TwitterURLCorpus"]
    tasks = []
    for name in names:
        if name == DERIVED:
            tasks.append(_derived_task())
            continue
        folder = data_dir / FOLDER_ALIASES.get(name, name)
        task = mteb.get_task(name)
        subsets = [p.name for p in folder.iterdir() if p.is_dir() and p.name in task.hf_subsets]
        if subsets:
            task = mteb.get_task(name, hf_subsets=subsets)
        tasks.append(task)
    return tasks


def _model(path: str, kind: str) -> Any:
    import mteb

    folder = Path(path)
    name, detected = REGISTERED.get(folder.name, (None, "sentence-transformers"))
    if kind == "auto":
        config = folder / "config.json"
        is_m2v = config.exists() and json.loads(config.read_text()).get("model_type") == "model2vec"
        kind = "model2vec" if is_m2v else detected
    meta = mteb.get_model_meta(name) if name else None
    if kind == "model2vec":
        from mteb.models.model_implementations.model2vec_models import Model2VecModel

        model = Model2VecModel(path)
    else:
        from mteb.models.sentence_transformer_wrapper import SentenceTransformerEncoderWrapper

        model = SentenceTransformerEncoderWrapper(path, revision=meta.revision if meta else None)
    if meta is not None:
        model.mteb_model_meta = meta
    return model


def _count_encodes(model: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {"n": 0, "unique": set()}
    original = model.encode

    def counting(inputs: Any, **kwargs: Any) -> Any:
        texts = [t for batch in inputs for t in batch["text"]]
        seen["n"] += len(texts)
        seen["unique"].update(texts)
        return original(inputs, **kwargs)

    model.encode = counting
    return seen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument(
        "--model-kind", default="auto", choices=["auto", "model2vec", "sentence-transformers"]
    )
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--tasks", nargs="*")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    import mteb

    tasks = _tasks(args.data_dir, args.tasks)
    _patch(LocalHub(args.data_dir, tasks))
    model = _model(args.model, args.model_kind)
    seen = _count_encodes(model)
    results = mteb.evaluate(
        model,
        tasks,
        cache=mteb.ResultCache(args.output_dir),
        overwrite_strategy="always",
        encode_kwargs={"batch_size": args.batch_size},
        show_progress_bar=False,
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "wall_time_s": time.perf_counter() - T0,
                "peak_rss_mb": usage.ru_maxrss / 1024,
                "tasks": {r.task_name: r.get_score() for r in results.task_results},
                "n_encoded_texts": seen["n"],
                "n_unique_texts": len(seen["unique"]),
            }
        )
    )


if __name__ == "__main__":
    main()
