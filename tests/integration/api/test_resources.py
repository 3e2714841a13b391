"""Tasks, models (names with ``/``, hostile names), history, docs, static files, headers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from tests.integration.api.conftest import XSS_NAME


def test_tasks_list_and_detail(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/api/v1/tasks", params={"type": "STS", "limit": 5}).json()
    assert page["total"] > 5 and len(page["items"]) == 5
    assert all(t["type"] == "STS" for t in page["items"])
    bench = client.get("/api/v1/tasks", params={"benchmark": "MTEB(eng, v2)", "limit": 1000})
    assert bench.json()["total"] == 41
    sts12 = client.get("/api/v1/tasks/STS12").json()
    assert sts12["metadata"]["main_score"] == "cosine_spearman"
    assert {"MTEB(eng, v2)", "MTEB(eng, v1)"} <= set(sts12["benchmarks"])
    assert sts12["n_models"] >= 5
    missing = client.get("/api/v1/tasks/STS1")
    assert missing.status_code == 404 and "Did you mean: STS1" in missing.json()["detail"]


def test_models_search_and_pages(client) -> None:  # type: ignore[no-untyped-def]
    everyone = client.get("/api/v1/models").json()
    names = [m["name"] for m in everyone["items"]]
    assert everyone["total"] == 6 and XSS_NAME in names and names == sorted(names)
    page = client.get("/api/v1/models", params={"offset": 1, "limit": 2}).json()
    assert [m["name"] for m in page["items"]] == names[1:3]
    found = client.get("/api/v1/models", params={"search": "MiniLM"}).json()
    assert [m["name"] for m in found["items"]] == ["sentence-transformers/all-MiniLM-L6-v2"]
    assert client.get("/api/v1/models", params={"limit": 0}).json()["parameter"] == "limit"


def test_model_page_with_slash_in_name(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/models/BAAI/bge-small-en-v1.5").json()
    assert body["name"] == "BAAI/bge-small-en-v1.5" and body["registered"]
    assert body["meta"]["n_parameters"] == 33_400_000
    arguana = [r for r in body["results"] if r["task"] == "ArguAna"]
    assert arguana and arguana[0]["source_kind"] == "directory"
    assert (
        arguana[0]["path"].startswith("BAAI__bge-small-en-v1.5/") and arguana[0]["entries"] is None
    )
    coverage = {c["benchmark"]: c for c in body["benchmarks"]}
    assert coverage["MTEB(eng, v2)"]["tasks_total"] == 41
    full = client.get("/api/v1/models/BAAI/bge-small-en-v1.5", params={"entries": "true"}).json()
    entry = next(r for r in full["results"] if r["task"] == "ArguAna")["entries"][0]
    assert entry["split"] == "test" and 0 < entry["main_score"] < 1
    history = client.get("/api/v1/models/BAAI/bge-small-en-v1.5/history")
    assert history.status_code == 200 and history.json()["history"] == []


def test_hostile_model_name_round_trips(client) -> None:  # type: ignore[no-untyped-def]
    res = client.get(f"/api/v1/models/{quote(XSS_NAME)}")
    assert res.status_code == 200 and res.json()["name"] == XSS_NAME
    assert res.headers["content-type"] == "application/json"


def test_unknown_model_is_404_with_close_matches(client) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/models/BAAI/bge-smal-en-v1.5")
    assert res.status_code == 404 and "BAAI/bge-small-en-v1.5" in res.json()["detail"]
    assert client.get("/api/v1/models/nobody/nothing/history").status_code == 404


def test_docs_are_local_and_script_free(client) -> None:  # type: ignore[no-untyped-def]
    import re

    html = client.get("/docs").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    assert "http" not in html
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert client.get(src).status_code == 200, src
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/models/{name}" in spec["paths"] or "/api/v1/models/{name:path}" in spec["paths"]
    assert "/api/v1/benchmarks/{name}/summary" in spec["paths"]


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/v1/benchmarks", "/docs", "/"):
        csp = client.get(path).headers["content-security-policy"]
        assert (
            "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )


def test_static_files_and_path_traversal(filled_store, catalog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from emboard.api.app import create_app

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>emboard</title>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("secret")
    (dist / "assets" / "link").symlink_to(tmp_path / "secret.txt")
    client = TestClient(create_app(filled_store, catalog, web_dir=dist))
    assert "emboard" in client.get("/").text
    asset = client.get("/assets/app.js")
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    for path in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/link",
        "/assets/..\\..\\secret.txt",
        "/nothing-here.js",
    ):
        res = client.get(path)
        assert res.status_code == 404 and "secret" not in res.text, path
