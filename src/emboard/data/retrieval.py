"""Retrieval and reranking records from the retrieval layout or legacy reranking rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emboard.data.belebele import TASKS as BELEBELE
from emboard.data.belebele import build_belebele
from emboard.data.records import RetrievalData
from emboard.data.tables import column, str_list
from emboard.data.transforms import split_rows
from emboard.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

    from emboard.data.source import DataSource
    from emboard.tasks.metadata import TaskMetadata


def _ids(table: pa.Table, where: str) -> list[str]:
    name = "id" if "id" in table.column_names else "_id"
    return str_list(table, name, where)


def corpus_texts(table: pa.Table, where: str) -> list[str]:
    """MTEB's document text: ``(title + " " + text).strip()`` when a title is set."""
    texts = str_list(table, "text", where)
    if "title" not in table.column_names:
        return [t.strip() for t in texts]
    titles = table.column("title").to_pylist()
    return [
        f"{title} {text}".strip() if title else text.strip()
        for title, text in zip(titles, texts, strict=True)
    ]


def _qrels(table: pa.Table, where: str) -> dict[str, dict[str, int]]:
    qids = str_list(table, "query-id", where)
    dids = str_list(table, "corpus-id", where)
    grades = column(table, "score", where).cast("double").to_numpy()
    qrels: dict[str, dict[str, int]] = {}
    for qid, did, grade in zip(qids, dids, grades, strict=True):
        qrels.setdefault(qid, {})[did] = int(grade)
    return qrels


def _from_reranking_rows(table: pa.Table, split: str, where: str) -> RetrievalData:
    """Legacy ``{query, positive[], negative[]}`` rows, converted exactly as MTEB converts them."""
    queries = str_list(table, "query", where)
    positives = column(table, "positive", where).to_pylist()
    negatives = column(table, "negative", where).to_pylist()
    corpus_ids: list[str] = []
    docs: list[str] = []
    query_ids: list[str] = []
    query_texts: list[str] = []
    qrels: dict[str, dict[str, int]] = {}
    top_ranked: dict[str, list[str]] = {}
    kept = ((q, p, n) for q, p, n in zip(queries, positives, negatives, strict=True) if p and n)
    for idx, (query, pos, neg) in enumerate(kept):
        qid = f"{split}_query{idx}"
        ids = [f"apositive_{qid}_{i:05d}" for i in range(len(pos))]
        ids += [f"negative_{qid}_{i:05d}" for i in range(len(neg))]
        query_ids.append(qid)
        query_texts.append(query)
        corpus_ids += ids
        docs += [str(d) for d in pos] + [str(d) for d in neg]
        qrels[qid] = dict(zip(ids, [1] * len(pos) + [0] * len(neg), strict=True))
        top_ranked[qid] = ids
    return RetrievalData(corpus_ids, docs, query_ids, query_texts, qrels, top_ranked)


def _changed_qrels(
    source: DataSource, task: TaskMetadata, subset: str, split: str, where: str
) -> dict[str, list[str]] | None:
    """FollowIR's ``qrel_diff`` table ``{query-id, corpus-ids[]}``, when the source has one."""
    if not source.has_part(task, subset, "qrel_diff", split):
        return None
    table = source.read(task, subset, "qrel_diff", split)
    qids = str_list(table, "query-id", f"{where} qrel_diff")
    docs = column(table, "corpus-ids", f"{where} qrel_diff").to_pylist()
    return {q: [str(d) for d in ds or []] for q, ds in zip(qids, docs, strict=True)}


def build_retrieval(
    source: DataSource, task: TaskMetadata, subset: str, split: str
) -> RetrievalData:
    """Corpus, queries (those with judgements), qrels and optional candidates/instructions."""
    where = f"{task.name} [{subset}/{split}]"
    if task.name in BELEBELE:
        return build_belebele(source, task, subset, split)
    if source.has_part(task, subset, "rows", split) and not source.has_part(
        task, subset, "corpus", split
    ):
        return _from_reranking_rows(split_rows(source, task, subset, split), split, where)
    corpus = source.read(task, subset, "corpus", split)
    queries = source.read(task, subset, "queries", split)
    qrels = {q: d for q, d in _qrels(source.read(task, subset, "qrels", split), where).items() if d}
    all_qids = _ids(queries, f"{where} queries")
    all_texts = str_list(queries, "text", f"{where} queries")
    keep = [i for i, q in enumerate(all_qids) if q in qrels]
    top_ranked = None
    if source.has_part(task, subset, "top_ranked", split):
        tr = source.read(task, subset, "top_ranked", split)
        tr_ids = str_list(tr, "query-id", f"{where} top_ranked")
        lists = column(tr, "corpus-ids", f"{where} top_ranked").to_pylist()
        top_ranked = {q: [str(d) for d in ds] for q, ds in zip(tr_ids, lists, strict=True)}
    instructions = None
    if source.has_part(task, subset, "instruction", split):
        ins = source.read(task, subset, "instruction", split)
        by_qid = dict(
            zip(
                str_list(ins, "query-id", f"{where} instruction"),
                str_list(ins, "instruction", f"{where} instruction"),
                strict=True,
            )
        )
        missing = [all_qids[i] for i in keep if all_qids[i] not in by_qid]
        if missing:
            raise DataError(f"{where} instruction: no instruction for queries {missing[:5]}")
        instructions = [by_qid[all_qids[i]] for i in keep]
    return RetrievalData(
        changed_qrels=_changed_qrels(source, task, subset, split, where),
        corpus_ids=_ids(corpus, f"{where} corpus"),
        corpus_texts=corpus_texts(corpus, f"{where} corpus"),
        query_ids=[all_qids[i] for i in keep],
        query_texts=[all_texts[i] for i in keep],
        qrels=qrels,
        top_ranked=top_ranked,
        instructions=instructions,
    )
