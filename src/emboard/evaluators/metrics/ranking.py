"""Ranking metrics of a retrieval run, equal to MTEB 2.26.24's (``_evaluators/retrieval_metrics``).

A run maps query id → doc id → score; qrels map query id → doc id → graded judgement.
ndcg/map/recall/precision/success come from pytrec_eval (pytrec-eval-terrier, as in MTEB;
averages over the evaluated queries rounded to 5 decimals); MRR@k, the nAUC abstention metrics
(arXiv 2402.12997, with MTEB's tie-group means) and the task-specific extras (MindSmall's
max over sub-queries, FollowIR's p-MRR, NevIR's paired accuracy, InstructIR's robustness@10)
are computed here as MTEB computes them. Per-query values follow the run's query order, which
is also pytrec_eval's output order; confidences follow each query's dict order, as in MTEB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from emboard.errors import DataError
from emboard.types import JSONValue

K_VALUES = (1, 3, 5, 10, 20, 100, 1000)
ABSTENTION_RATES = np.linspace(0, 1, 11)[:-1]
CONFIDENCE_FUNCTIONS = ("max", "std", "diff1")

Run = Mapping[str, Mapping[str, float]]
Qrels = Mapping[str, Mapping[str, int]]
TrecScores = dict[str, dict[str, float]]

# (MTEB's list name, pytrec_eval measure, score key prefix); the order MTEB writes them in.
_FAMILIES = (
    ("NDCG", "ndcg_cut", "ndcg_at_"),
    ("MAP", "map_cut", "map_at_"),
    ("Recall", "recall", "recall_at_"),
    ("P", "P", "precision_at_"),
    ("HitRate", "success", "hit_rate_at_"),
)


@dataclass
class RankingScores:
    """Every retrieval metric MTEB writes, plus the per-query values behind them.

    ``scores`` is in MTEB's key order (``make_score_dict``); ``per_query`` holds one array per
    metric (``ndcg_at_10``, ``mrr_at_10``, ``confidence_std`` ...) in run order; ``trec`` is
    pytrec_eval's per-query output (used by task-specific extras).
    """

    scores: dict[str, float] = field(default_factory=dict)
    per_query: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    trec: TrecScores = field(default_factory=dict)


def trec_scores(qrels: Qrels, run: Run, k_values: Sequence[int] = K_VALUES) -> TrecScores:
    """pytrec_eval's per-query measures, for the queries of ``run`` that have qrels."""
    import pytrec_eval

    ks = ",".join(str(k) for k in k_values)
    measures = {f"{measure}.{ks}" for _, measure, _ in _FAMILIES}
    evaluator = pytrec_eval.RelevanceEvaluator({q: dict(d) for q, d in qrels.items()}, measures)
    result: TrecScores = evaluator.evaluate({q: dict(d) for q, d in run.items()})
    return result


def ranked(docs: Mapping[str, float]) -> list[tuple[str, float]]:
    """A query's results by score, ties by doc id, both descending (pytrec_eval's order)."""
    return sorted(docs.items(), key=lambda item: (item[1], item[0]), reverse=True)


def first_relevant_rank(docs: Mapping[str, float], relevant: set[str]) -> int | None:
    """0-based rank (pytrec_eval order) of a query's best-ranked relevant result, if any.

    The rank is counted, not sorted: results above the best relevant ``(score, doc id)``.
    """
    hits = [(docs[d], d) for d in relevant if d in docs]
    if not hits:
        return None
    best_score, best_doc = max(hits)
    scores = np.fromiter(docs.values(), dtype=np.float64, count=len(docs))
    rank = int(np.count_nonzero(scores > best_score))
    tied = np.flatnonzero(scores == best_score)
    if len(tied) > 1:
        ids = list(docs)
        rank += sum(1 for i in tied.tolist() if ids[i] > best_doc)
    return rank


def mrr_lists(qrels: Qrels, run: Run, k_values: Sequence[int]) -> dict[str, list[float]]:
    """Reciprocal rank of the first relevant (grade > 0) doc within the top k, per query."""
    out: dict[str, list[float]] = {f"MRR@{k}": [] for k in k_values}
    for qid, docs in run.items():
        relevant = {d for d, grade in qrels[qid].items() if grade > 0}
        first = first_relevant_rank(docs, relevant)
        for k in k_values:
            out[f"MRR@{k}"].append(1.0 / (first + 1) if first is not None and first < k else 0.0)
    return out


def confidence(scores: list[float]) -> dict[str, float]:
    """A query's confidence: top score, population std of scores, top-1 minus top-2."""
    if not scores:
        return {"max": 0.0, "std": 0.0, "diff1": 0.0}
    ordered = sorted(scores)[::-1]
    diff1 = ordered[0] - ordered[1] if len(scores) > 1 else 0.0
    return {"max": ordered[0], "std": float(np.std(scores)), "diff1": diff1}


def _abstention_curve(
    conf: NDArray[np.float64], metric: NDArray[np.float64]
) -> NDArray[np.float64]:
    if conf.size == 0:
        return np.full(len(ABSTENTION_RATES), np.nan)
    order = np.argsort(conf, kind="stable")
    sorted_conf, sorted_metric = conf[order], metric[order]
    starts = np.flatnonzero(np.r_[True, sorted_conf[1:] != sorted_conf[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_conf)])
    smoothed = np.repeat(np.add.reduceat(sorted_metric, starts) / sizes, sizes)
    curve = np.zeros(len(ABSTENTION_RATES))
    for i, rate in enumerate(ABSTENTION_RATES):
        cut = min(round(rate * len(order)), len(conf) - 1)
        curve[i] = smoothed[cut:].mean()
    return curve


def _trapezoid(y: NDArray[np.float64]) -> float:
    """``sklearn.metrics.auc(ABSTENTION_RATES, y)`` (scipy's trapezoid rule), without checks."""
    x = ABSTENTION_RATES
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))


def nauc(conf: NDArray[np.float64], metric: NDArray[np.float64]) -> float:
    """Normalised area under the abstention curve (NaN when the oracle curve is flat)."""
    abst = _abstention_curve(conf, metric)
    oracle = _abstention_curve(metric, metric)
    abst_auc, oracle_auc = _trapezoid(abst), _trapezoid(oracle)
    flat = oracle[0] * (ABSTENTION_RATES[-1] - ABSTENTION_RATES[0])
    if oracle_auc == flat:
        return float("nan")
    return float((abst_auc - flat) / (oracle_auc - flat))


def confidences(run: Run) -> dict[str, NDArray[np.float64]]:
    """Per-query confidence arrays (max, std, diff1) in run order."""
    confs = [confidence(list(docs.values())) for docs in run.values()]
    return {fn: np.array([c[fn] for c in confs], dtype=np.float64) for fn in CONFIDENCE_FUNCTIONS}


def _nauc_keys(
    conf: Mapping[str, NDArray[np.float64]], lists: Mapping[str, list[float]]
) -> dict[str, float]:
    out = {}
    for name, values in lists.items():
        metric = np.array(values, dtype=np.float64)
        for fn in CONFIDENCE_FUNCTIONS:
            key = f"nAUC_{name}_{fn}".replace("@", "_at_").replace("_P", "_precision").lower()
            out[key] = nauc(conf[fn], metric)
    return out


def skip_first(run: Run) -> dict[str, dict[str, float]]:
    """MTEB's ``skip_first_result``: drop each query's top result (stable sort by score)."""
    return {
        qid: dict(sorted(docs.items(), key=lambda x: x[1], reverse=True)[1:])
        for qid, docs in run.items()
    }


def _check(qrels: Qrels, run: Run) -> None:
    if not run:
        raise DataError("Cannot score a retrieval run with no queries")
    missing = [qid for qid in run if qid not in qrels]
    if missing:
        raise DataError(
            f"{len(missing)} run queries have no qrels entry (e.g. {missing[:3]}); "
            "every evaluated query needs judgements"
        )


def ranking_scores(
    qrels: Qrels, run: Run, k_values: Sequence[int] = K_VALUES, skip_first_result: bool = False
) -> RankingScores:
    """All retrieval metrics of ``run`` against ``qrels`` under MTEB's key names and order."""
    if skip_first_result:
        run = skip_first(run)
    _check(qrels, run)
    trec = trec_scores(qrels, run, k_values)
    lists: dict[str, list[float]] = {}
    averaged: dict[str, float] = {}
    for name, measure, key in _FAMILIES:
        for k in k_values:
            values = [q[f"{measure}_{k}"] for q in trec.values()]
            lists[f"{name}@{k}"] = values
            averaged[f"{key}{k}"] = round(sum(values) / len(trec), 5)
    mrr = mrr_lists(qrels, run, k_values)
    conf = confidences(run)
    scores: dict[str, float] = {}
    for prefix in ("ndcg_at_", "map_at_", "recall_at_"):
        scores.update({f"{prefix}{k}": averaged[f"{prefix}{k}"] for k in k_values})
    scores["accuracy"] = averaged["recall_at_1"]  # MTEB: recall@1 is reported as accuracy
    scores.update({f"precision_at_{k}": averaged[f"precision_at_{k}"] for k in k_values})
    scores.update({f"mrr_at_{k}": sum(mrr[f"MRR@{k}"]) / len(run) for k in k_values})
    scores.update(_nauc_keys(conf, {k: v for k, v in lists.items() if "HitRate" not in k}))
    scores.update(_nauc_keys(conf, mrr))
    scores.update({f"hit_rate_at_{k}": averaged[f"hit_rate_at_{k}"] for k in k_values})
    prefixes = {name: key for name, _, key in _FAMILIES} | {"MRR": "mrr_at_"}
    per_query = {
        prefixes[name.split("@")[0]] + name.split("@")[1]: np.asarray(values, dtype=np.float64)
        for name, values in {**lists, **mrr}.items()
    }
    per_query.update({f"confidence_{fn}": values for fn, values in conf.items()})
    return RankingScores(scores=scores, per_query=per_query, trec=trec)


def max_over_subqueries(
    qrels: Qrels, run: Run, k_values: Sequence[int] = K_VALUES
) -> dict[str, float]:
    """MindSmall: merge sub-queries ``{base}_{j}`` by max score per doc, rescore, prefix keys."""
    groups: dict[str, list[str]] = {}
    for qid in qrels:
        groups.setdefault("_".join(qid.split("_")[:-1]), []).append(qid)
    merged_run: dict[str, dict[str, float]] = {}
    merged_qrels: dict[str, Mapping[str, int]] = {}
    for base, members in groups.items():
        merged: dict[str, float] = {}
        for member in members:
            if member not in run:
                raise DataError(f"Sub-query {member!r} has qrels but no results")
            for doc, score in run[member].items():
                merged[doc] = score if doc not in merged else max(score, merged[doc])
        merged_run[base] = merged
        merged_qrels[base] = qrels[members[-1]]  # the same judgements for every member
    result = ranking_scores(merged_qrels, merged_run, k_values)
    return {f"max_over_subqueries_{key}": value for key, value in result.scores.items()}


def paired_accuracy(qrels: Qrels, trec: TrecScores) -> float:
    """NevIR: share of ``{id}_q1``/``{id}_q2`` pairs with both queries right at rank 1."""
    bases = {qid.split("_")[0] for qid in qrels}
    hits = [
        1 if trec[f"{b}_q1"]["recall_1"] == 1 and trec[f"{b}_q2"]["recall_1"] == 1 else 0
        for b in bases
    ]
    return sum(hits) / len(hits)


def robustness_at_10(qrels: Qrels, trec: TrecScores) -> float:
    """InstructIR: mean over base queries of the lowest nDCG@10 over its instructions."""
    groups: dict[str, list[str]] = {}
    for qid in qrels:
        groups.setdefault(qid.split("_")[0], []).append(qid)
    worst = [min(trec[qid]["ndcg_cut_10"] for qid in members) for members in groups.values()]
    return sum(worst) / len(worst)


def rank_of(docs: Mapping[str, float], doc_id: str) -> int:
    """1-based rank of ``doc_id`` in a query's results (pytrec_eval order); len+1 if absent."""
    order = ranked(docs)
    return next((i + 1 for i, (doc, _) in enumerate(order) if doc == doc_id), len(order) + 1)


def rank_score(og_rank: int, new_rank: int) -> float:
    """FollowIR's per-document p-MRR term (positive when the document moved up)."""
    if og_rank >= new_rank:
        return ((1 / og_rank) / (1 / new_rank)) - 1
    return 1 - ((1 / new_rank) / (1 / og_rank))


def p_mrr(original_run: Run, new_run: Run, changed_qrels: Mapping[str, Sequence[str]]) -> float:
    """Mean over queries of the mean ``rank_score`` of their documents whose relevance changed."""
    per_query: list[float] = []
    for qid, changed in changed_qrels.items():
        og, new = original_run.get(f"{qid}-og"), new_run.get(f"{qid}-changed")
        if og is None or new is None or not changed:
            continue
        terms = [rank_score(rank_of(og, doc), rank_of(new, doc)) for doc in changed]
        per_query.append(float(np.mean(terms)))
    if not per_query:
        raise DataError("p-MRR: no query has both an '-og' and a '-changed' run")
    return float(np.mean(per_query))


def followir_scores(
    qrels: Qrels,
    run: Run,
    changed_qrels: Mapping[str, Sequence[str]],
    k_values: Sequence[int] = K_VALUES,
) -> dict[str, JSONValue]:
    """FollowIR extras: ``p-MRR`` plus every metric on the ``og`` and ``changed`` halves."""
    original = {qid: docs for qid, docs in run.items() if qid.endswith("-og")}
    changed = {qid: docs for qid, docs in run.items() if not qid.endswith("-og")}
    out: dict[str, JSONValue] = {"p-MRR": p_mrr(original, changed, changed_qrels)}
    for name, part in (("og", original), ("changed", changed)):
        part_qrels = {q: d for q, d in qrels.items() if q.endswith("-og") == (name == "og")}
        scores: dict[str, JSONValue] = dict(ranking_scores(part_qrels, part, k_values).scores)
        out[name] = scores
    return out
