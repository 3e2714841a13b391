"""The response cache: a repeated GET is sent by the ASGI middleware, identical to the first."""

from __future__ import annotations

from dataclasses import replace

from emboard.api.http import query_key

ENG = "/api/v1/benchmarks/MTEB(eng, v2)"


def test_query_key_sorts_and_keeps_repeats() -> None:
    assert query_key("/a", b"") == "/a?"
    assert query_key("/a", b"type=STS&metric=x&type=Clustering") == query_key(
        "/a", b"metric=x&type=Clustering&type=STS"
    )
    assert query_key("/a", b"search=a%20b") == "/a?search=a b"


def test_repeat_is_served_from_the_cache_with_the_same_headers(client) -> None:  # type: ignore[no-untyped-def]
    state = client.app.state.emboard
    url = f"{ENG}/summary?max_params=1B&type=STS"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    key = (state.generation(), query_key(f"{ENG}/summary", b"type=STS&max_params=1B"))
    ready = state.cache.get(key)
    assert ready is not None
    # A marked body proves the middleware (not the route) answers the reordered query.
    state.cache.put(key, replace(ready, plain=(b'{"cached": true}', ready.plain[1])))
    again = client.get(f"{ENG}/summary?type=STS&max_params=1B", headers={"Accept-Encoding": "x"})
    assert again.content == b'{"cached": true}'
    state.cache.put(key, ready)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.json() == first.json()
    for name in ("etag", "cache-control", "vary", "content-security-policy", "content-type"):
        assert plain.headers[name] == first.headers[name], name
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.content)
    not_modified = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == first.headers["etag"]


def test_errors_are_not_cached(client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        res = client.get(f"{ENG}/summary", params={"type": "Retreival"})
        assert res.status_code == 422 and res.json()["parameter"] == "type"
    assert client.get("/api/v1/benchmarks/nope").status_code == 404
    assert client.get("/api/v1/benchmarks/nope").status_code == 404


def test_warm_paths_are_cached_after_start(filled_store, catalog) -> None:  # type: ignore[no-untyped-def]
    import time
    from pathlib import Path

    from fastapi.testclient import TestClient

    from emboard.api.app import create_app

    paths = ["/api/v1/benchmarks", f"{ENG}/summary", "/api/v1/benchmarks/nope"]
    app = create_app(filled_store, catalog, web_dir=Path("/nonexistent"), warm_paths=paths)
    state = app.state.emboard
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        wanted = [(state.generation(), query_key(p, b"")) for p in paths[:2]]
        while time.monotonic() < deadline and any(state.cache.get(k) is None for k in wanted):
            time.sleep(0.05)
        assert all(state.cache.get(k) is not None for k in wanted)
        assert client.get(f"{ENG}/summary").json()["benchmark"] == "MTEB(eng, v2)"
        assert client.get("/api/v1/benchmarks/nope").status_code == 404


def test_warm_benchmarks_are_prepared_after_the_warm_paths(filled_store, catalog) -> None:  # type: ignore[no-untyped-def]
    import time
    from pathlib import Path

    from fastapi.testclient import TestClient

    from emboard.api.app import create_app

    app = create_app(
        filled_store,
        catalog,
        web_dir=Path("/nonexistent"),
        warm_paths=[f"{ENG}/summary"],
        warm_benchmarks=["MTEB(eng, v2)", "nope"],  # an unknown one is logged, not raised
        later_paths=[f"{ENG}/metrics"],
    )
    state = app.state.emboard
    later = (state.generation(), query_key(f"{ENG}/metrics", b""))
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and state.cache.get(later) is None:
            time.sleep(0.05)
        assert state.cache.get(later) is not None  # the later paths ran after the prepare
        assert ("MTEB(eng, v2)", None) in state.board._prepared
        assert client.get(f"{ENG}/summary?type=STS").status_code == 200


def test_cache_is_bounded_by_entries_and_bytes() -> None:
    from emboard.api.http import make_ready
    from emboard.api.state import Encoded, ResponseCache

    def ready(n: int) -> object:
        return make_ready(Encoded(body=b"x" * n, gzipped=None, media_type="text/plain"), "e")

    cache = ResponseCache(size=3, max_bytes=100)
    for i in range(5):
        cache.put((1, str(i)), ready(10))  # type: ignore[arg-type]
    assert [cache.get((1, str(i))) is not None for i in range(5)] == [False] * 2 + [True] * 3
    cache.put((1, "big"), ready(90))  # type: ignore[arg-type]
    assert cache.get((1, "big")) is not None and cache.get((1, "4")) is not None
    assert cache.get((1, "3")) is None  # 90 + 10 + 10 > 100: the least recent went
    cache.put((1, "huge"), ready(101))  # type: ignore[arg-type]
    assert cache.get((1, "huge")) is None
    cache.put((2, "new"), ready(10))  # type: ignore[arg-type]
    assert cache.get((1, "big")) is None and cache.get((2, "new")) is not None
    assert cache._bytes == 10


def test_cached_csv_keeps_its_download_headers(client) -> None:  # type: ignore[no-untyped-def]
    url = f"{ENG}/per-task?format=csv&type=STS"
    first, again = client.get(url), client.get(url)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.text.startswith("Model,")
    for name in ("content-type", "content-disposition", "etag"):
        assert again.headers[name] == first.headers[name], name
    assert again.headers["content-type"] == "text/csv; charset=utf-8"
    assert again.headers["content-disposition"].startswith("attachment; filename=")
