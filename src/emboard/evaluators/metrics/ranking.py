"""Ranking metrics of a retrieval run, equal to MTEB 2.26.24's.

ndcg/map/recall/precision/success come from pytrec_eval (as in MTEB, averages rounded to 5
decimals); MRR@k, hit rate keys and nAUC (arXiv 2402.12997, with MTEB's tie-group means) are
computed here. Per-query lists follow pytrec_eval's output order, which follows the run's order;
confidence scores follow the run's order, as MTEB pairs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

K_VALUES = (1, 3, 5, 10, 20, 100, 1000)
ABSTENTION_RATES = np.linspace(0, 1, 11)[:-1]
CONFIDENCE_FUNCTIONS = ("max", "std", "diff1")

Run = Mapping[str, Mapping[str, float]]
Qrels = Mapping[str, Mapping[str, int]]


@dataclass
class RankingScores:
    """Every retrieval metric MTEB writes, plus the per-query values behind them."""

    scores: dict[str, float] = field(default_factory=dict)
    per_query: dict[str, NDArray[np.float64]] = field(default_factory=dict)


def mrr_lists(qrels: Qrels, run: Run, k_values: Sequence[int]) -> dict[str, list[float]]:
    """Reciprocal rank of the first relevant doc within the top k, per query (run order)."""
    k_max = max(k_values)
    out: dict[str, list[float]] = {f"MRR@{k}": [] for k in k_values}
    for qid, docs in run.items():
        top = sorted(docs.items(), key=lambda item: (item[1], item[0]), reverse=True)[:k_max]
        relevant = {d for d, grade in qrels[qid].items() if grade > 0}
        first = next((rank for rank, (doc, _) in enumerate(top) if doc in relevant), None)
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


def nauc(conf: NDArray[np.float64], metric: NDArray[np.float64]) -> float:
    """Normalised area under the abstention curve (NaN when the oracle curve is flat)."""
    abst = _abstention_curve(conf, metric)
    oracle = _abstention_curve(metric, metric)
    abst_auc = np.trapezoid(abst, ABSTENTION_RATES)  # sklearn.metrics.auc, without its checks
    oracle_auc = np.trapezoid(oracle, ABSTENTION_RATES)
    flat = oracle[0] * (ABSTENTION_RATES[-1] - ABSTENTION_RATES[0])
    if oracle_auc == flat:
        return float("nan")
    return float((abst_auc - flat) / (oracle_auc - flat))


def _nauc_keys(run: Run, lists: Mapping[str, list[float]]) -> dict[str, float]:
    confs = [confidence(list(docs.values())) for docs in run.values()]
    by_fn = {fn: np.array([c[fn] for c in confs]) for fn in CONFIDENCE_FUNCTIONS}
    out = {}
    for name, values in lists.items():
        metric = np.array(values)
        for fn, conf in by_fn.items():
            key = f"nAUC_{name}_{fn}".replace("@", "_at_").replace("_P", "_precision").lower()
            out[key] = nauc(conf, metric)
    return out


def _pytrec(qrels: Qrels, run: Run, k_values: Sequence[int]) -> dict[str, dict[str, float]]:
    import pytrec_eval

    ks = ",".join(str(k) for k in k_values)
    measures = {f"map_cut.{ks}", f"ndcg_cut.{ks}", f"recall.{ks}", f"P.{ks}", f"success.{ks}"}
    evaluator = pytrec_eval.RelevanceEvaluator(dict(qrels), measures)
    result: dict[str, dict[str, float]] = evaluator.evaluate(dict(run))
    return result


def ranking_scores(qrels: Qrels, run: Run, k_values: Sequence[int] = K_VALUES) -> RankingScores:
    """All retrieval metrics of ``run`` against ``qrels`` under MTEB's key names."""
    per_query = _pytrec(qrels, run, k_values)
    n = len(per_query)
    families = (
        ("NDCG", "ndcg_cut_", "ndcg_at_"),
        ("MAP", "map_cut_", "map_at_"),
        ("Recall", "recall_", "recall_at_"),
        ("P", "P_", "precision_at_"),
        ("HitRate", "success_", "hit_rate_at_"),
    )
    lists: dict[str, list[float]] = {}
    averaged: dict[str, float] = {}
    for name, measure, key in families:
        for k in k_values:
            values = [q[f"{measure}{k}"] for q in per_query.values()]
            lists[f"{name}@{k}"] = values
            averaged[f"{key}{k}"] = round(sum(values) / n, 5)
    mrr = mrr_lists(qrels, run, k_values)
    scores: dict[str, Any] = {}
    for key in ("ndcg_at_", "map_at_", "recall_at_"):
        scores.update({f"{key}{k}": averaged[f"{key}{k}"] for k in k_values})
    scores["accuracy"] = averaged["recall_at_1"]  # MTEB: accuracy is recall@1
    scores.update({f"precision_at_{k}": averaged[f"precision_at_{k}"] for k in k_values})
    scores.update({f"mrr_at_{k}": sum(mrr[f"MRR@{k}"]) / len(mrr[f"MRR@{k}"]) for k in k_values})
    metric_lists = {k: v for k, v in lists.items() if not k.startswith("HitRate")}
    scores.update(_nauc_keys(run, metric_lists))
    scores.update(_nauc_keys(run, mrr))
    scores.update({f"hit_rate_at_{k}": averaged[f"hit_rate_at_{k}"] for k in k_values})
    outcomes = {
        name.lower().replace("@", "_at_"): np.asarray(v) for name, v in {**lists, **mrr}.items()
    }
    return RankingScores(scores=scores, per_query=outcomes)
