"""Benchmark tables over HTTP: the Board's tables, filters, metric choice, exports, caching."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.integration.api.conftest import XSS_NAME

ENG = "/api/v1/benchmarks/MTEB(eng, v2)"


def test_benchmarks_list_and_detail(client) -> None:  # type: ignore[no-untyped-def]
    names = {b["name"] for b in client.get("/api/v1/benchmarks").json()}
    assert {"MTEB(eng, v2)", "MTEB(Multilingual, v2)"} <= names
    detail = client.get(ENG).json()
    assert len(detail["tasks"]) == 41
    assert "Retrieval" in detail["task_types"] and "eng" in detail["languages"]
    assert client.get("/api/v1/benchmarks/MTEB(eng)").json()["name"] == "MTEB(eng, v2)"


def test_summary_is_the_boards_table(client, filled_store, catalog) -> None:  # type: ignore[no-untyped-def]
    from emboard.board import Board
    from emboard.leaderboard.display import visible_columns

    body = client.get(f"{ENG}/summary").json()
    table = Board(filled_store, catalog).leaderboard("MTEB(eng, v2)").summary
    cols = visible_columns(table)
    assert body["columns"] == cols
    expected = [[rec[c] for c in cols] for rec in table.to_records()]
    assert body["rows"] == expected
    assert body["rank_column"] == "Rank (Borda)" and body["columns"][0] == "Rank (Borda)"
    assert body["type_columns"] == list(table.type_columns)
    models = [r[1] for r in body["rows"]]
    assert XSS_NAME in models and "BAAI/bge-small-en-v1.5" in models
    assert len(body["task_columns"]) == 41


def test_filters_change_the_tables(client) -> None:  # type: ignore[no-untyped-def]
    retrieval = client.get(f"{ENG}/per-task", params={"type": "Retrieval"}).json()
    tasks = retrieval["columns"][1:]
    assert tasks and all(retrieval["task_types"][t] == "Retrieval" for t in tasks)
    sizes = {m["name"]: m["n_parameters"] for m in client.get("/api/v1/models").json()["items"]}
    small = client.get(f"{ENG}/summary", params={"max_params": "30M"}).json()
    kept = {r[1] for r in small["rows"]}
    assert kept and all(sizes[m] is not None and sizes[m] <= 30_000_000 for m in kept)
    everyone = {r[1] for r in client.get(f"{ENG}/summary").json()["rows"]}
    assert kept < everyone
    named = client.get(f"{ENG}/summary", params={"search": "BGE"}).json()
    assert [r[1] for r in named["rows"]] == ["BAAI/bge-small-en-v1.5"]
    both = client.get(f"{ENG}/per-task", params=[("type", "STS"), ("type", "Clustering")]).json()
    assert {both["task_types"][t] for t in both["columns"][1:]} == {"STS", "Clustering"}


def test_metric_choice(client) -> None:  # type: ignore[no-untyped-def]
    metrics = client.get(f"{ENG}/metrics").json()
    assert "recall_at_100" in metrics["metrics"] and "ndcg_at_10" in metrics["by_task"]["ArguAna"]
    main = client.get(f"{ENG}/per-task").json()
    recall = client.get(f"{ENG}/per-task", params={"metric": "recall_at_100"}).json()
    assert recall["metric"] == "recall_at_100"
    j = recall["columns"].index("ArguAna")
    by_model = {r[0]: r[j] for r in main["rows"]}
    assert all(r[j] is not None and r[j] != by_model[r[0]] for r in recall["rows"] if r[j])
    sts = recall["columns"].index("STS12")
    assert all(r[sts] is None for r in recall["rows"])


def test_csv_and_json_exports(client) -> None:  # type: ignore[no-untyped-def]
    table = client.get(f"{ENG}/summary", params={"type": "STS"}).json()
    res = client.get(f"{ENG}/summary", params={"type": "STS", "format": "csv"})
    assert res.headers["content-type"].startswith("text/csv")
    assert 'filename="MTEB_eng_v2-summary.csv"' in res.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(res.text)))
    assert rows[0] == table["columns"] and len(rows) == len(table["rows"]) + 1
    assert [r[1] for r in rows[1:]] == [r[1] for r in table["rows"]]
    records = json.loads(client.get(f"{ENG}/per-task", params={"format": "json"}).text)
    assert records and set(records[0]) >= {"Model", "ArguAna"}


def test_etag_cache_control_and_gzip(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get(f"{ENG}/summary", headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    assert "max-age" in first.headers["cache-control"]
    again = client.get(f"{ENG}/summary", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content
    other = client.get(f"{ENG}/summary", params={"type": "STS"})
    assert other.headers["etag"] != first.headers["etag"]


def test_per_language_view(client) -> None:  # type: ignore[no-untyped-def]
    multi = client.get("/api/v1/benchmarks/MTEB(Multilingual, v2)/per-language").json()
    assert multi["columns"][0] == "Model" and len(multi["columns"]) > 10
    assert "minishlab/potion-base-8M" in {r[0] for r in multi["rows"]}
    missing = client.get(f"{ENG}/per-language")
    assert missing.status_code == 404 and "no per-language view" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"open_weights": "maybe"}, "open_weights"),
        ({"max_params": "big"}, "max_params"),
        ({"zero_shot": "sometimes"}, "zero_shot"),
        ({"type": "Retrievl"}, "type"),
        ({"language": "english"}, "language"),
        ({"metric": "ndcg_at10"}, "metric"),
        ({"format": "xlsx"}, "format"),
    ],
)
def test_bad_parameters_are_422_naming_them(client, params, parameter) -> None:  # type: ignore[no-untyped-def]
    res = client.get(f"{ENG}/summary", params=params)
    assert res.status_code == 422
    body = res.json()
    assert body["parameter"] == parameter and parameter in body["detail"]


def test_unknown_benchmark_is_404_with_close_matches(client) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/benchmarks/MTEB(eng, v3)/summary")
    assert res.status_code == 404
    assert "Did you mean" in res.json()["detail"] and "MTEB(eng, v2)" in res.json()["detail"]
