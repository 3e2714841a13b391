"""The plots' and task page's data over HTTP: summary points, task scores, dataset links."""

from __future__ import annotations

import math
from urllib.parse import quote

from tests.integration.api.conftest import XSS_NAME

ENG = "/api/v1/benchmarks/MTEB(eng, v2)"


def _column(table: dict, name: str) -> dict[str, object]:  # type: ignore[type-arg]
    j, m = table["columns"].index(name), table["columns"].index("Model")
    return {r[m]: r[j] for r in table["rows"]}


def test_points_are_the_filtered_summary(client) -> None:  # type: ignore[no-untyped-def]
    params = {"type": "STS", "max_params": "1B"}
    body = client.get(f"{ENG}/points", params=params).json()
    summary = client.get(f"{ENG}/summary", params=params).json()
    assert body["score_column"] == "Mean (Task)" and body["metric"] == "main_score"
    assert [p["model"] for p in body["points"]] == [r[1] for r in summary["rows"]]
    means = _column(summary, "Mean (Task)")
    assert {p["model"]: p["score"] for p in body["points"]} == means
    bge = next(p for p in body["points"] if p["model"] == "BAAI/bge-small-en-v1.5")
    assert bge["n_parameters"] == 33_400_000 and bge["memory_mb"] == 127 and bge["rank"] >= 1
    assert XSS_NAME in {p["model"] for p in body["points"]}
    everyone = client.get(f"{ENG}/points").json()["points"]
    assert len(everyone) == 6 and all(p["score"] is None or 0 < p["score"] < 1 for p in everyone)


def test_points_follow_the_metric_and_reject_bad_parameters(client) -> None:  # type: ignore[no-untyped-def]
    recall = client.get(f"{ENG}/points", params={"metric": "recall_at_100", "type": "Retrieval"})
    main = client.get(f"{ENG}/points", params={"type": "Retrieval"})
    assert recall.json()["metric"] == "recall_at_100"
    assert recall.json()["points"] != main.json()["points"]
    for params in ({"metric": "recall_at_1000000"}, {"format": "csv"}, {"type": "Retrievl"}):
        res = client.get(f"{ENG}/points", params=params)
        assert res.status_code == 422 and res.json()["parameter"] == next(iter(params)), params
    assert client.get("/api/v1/benchmarks/MTEB(nothing)/points").status_code == 404


def test_task_scores_of_a_benchmark(client) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/tasks/STS12/scores", params={"benchmark": "MTEB(eng, v2)"})
    body = res.json()
    column = _column(client.get(f"{ENG}/per-task").json(), "STS12")
    expected = sorted((v for v in column.values() if v is not None), reverse=True)
    assert body["benchmark"] == "MTEB(eng, v2)" and body["main_score"] == "cosine_spearman"
    assert body["n_models"] == len(expected) == 6
    assert [t["score"] for t in body["top"]] == expected[:10]
    assert {t["model"] for t in body["top"]} == set(column)
    assert sum(body["histogram"]["counts"]) == 6
    edges = body["histogram"]["edges"]
    assert len(edges) == 21 and edges[0] == min(expected) and edges[-1] == max(expected)
    assert math.isclose(body["mean"], sum(expected) / 6)
    assert res.headers["etag"] and res.headers["cache-control"]


def test_task_scores_of_every_stored_result(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/tasks/STS12/scores", params={"limit": 2, "bins": 3}).json()
    assert body["benchmark"] is None and body["n_models"] == 6 and len(body["top"]) == 2
    assert len(body["histogram"]["counts"]) == 3 and sum(body["histogram"]["counts"]) == 6
    scores = [t["score"] for t in body["top"]]
    assert scores == sorted(scores, reverse=True)
    model = client.get("/api/v1/models/BAAI/bge-small-en-v1.5").json()
    stored = next(r["score"] for r in model["results"] if r["task"] == "STS12")
    full = client.get("/api/v1/tasks/STS12/scores", params={"limit": 100}).json()
    assert {t["model"]: t["score"] for t in full["top"]}["BAAI/bge-small-en-v1.5"] == stored
    assert XSS_NAME in {t["model"] for t in full["top"]}


def test_task_scores_bad_input(client) -> None:  # type: ignore[no-untyped-def]
    other = client.get("/api/v1/tasks/STS12/scores", params={"benchmark": "MTEB(fas, v2)"})
    assert other.status_code == 422 and other.json()["parameter"] == "benchmark"
    assert client.get("/api/v1/tasks/STS12/scores", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/tasks/STS12/scores", params={"bins": 101}).status_code == 422
    missing = client.get("/api/v1/tasks/STS1/scores")
    assert missing.status_code == 404 and "Did you mean: STS1" in missing.json()["detail"]
    nobody = client.get("/api/v1/tasks/STS12/scores", params={"benchmark": "MTEB(nothing)"})
    assert nobody.status_code == 404
    empty = client.get("/api/v1/tasks/Birdsnap/scores").json()
    assert empty["n_models"] == 0 and empty["top"] == [] and empty["histogram"]["counts"] == []


def test_task_dataset_link(client) -> None:  # type: ignore[no-untyped-def]
    sts12 = client.get("/api/v1/tasks/STS12").json()
    revision = sts12["metadata"]["dataset"]["revision"]
    assert sts12["dataset_url"] == f"https://huggingface.co/datasets/mteb/sts12-sts/tree/{revision}"
    aggregate = client.get("/api/v1/tasks/CQADupstackRetrieval").json()
    assert aggregate["dataset_url"] is None


def test_histogram_bins() -> None:
    from emboard.api.points import histogram

    assert histogram([], 5).counts == []
    same = histogram([0.5, 0.5], 5)
    assert same.edges == [0.5, 0.5] and same.counts == [2]
    spread = histogram([0.0, 0.1, 0.5, 1.0], 2)
    assert spread.edges == [0.0, 0.5, 1.0] and spread.counts == [2, 2]


def test_hostile_name_in_task_scores_is_data(client) -> None:  # type: ignore[no-untyped-def]
    res = client.get(f"/api/v1/tasks/{quote('STS12')}/scores", params={"limit": 100})
    assert res.headers["content-type"] == "application/json"
    assert any(t["model"] == XSS_NAME for t in res.json()["top"])


def test_empty_selections(client) -> None:  # type: ignore[no-untyped-def]
    none = client.get(f"{ENG}/points", params={"min_params": "10B"})
    assert none.status_code == 200 and none.json()["points"] == []
    mieb = client.get("/api/v1/benchmarks/MIEB(lite)").json()
    task = mieb["tasks"][0]["name"]  # no stored model has an image result
    body = client.get(f"/api/v1/tasks/{task}/scores", params={"benchmark": "MIEB(lite)"}).json()
    assert body["n_models"] == 0 and body["top"] == [] and body["mean"] is None
