"""Responses with ETag, Cache-Control and gzip, built once per store generation.

Every GET of the API goes through :func:`respond`: the ETag is a hash of the store's generation
(the last ingest that changed data) and the request's path and sorted query, so a matching
``If-None-Match`` is answered 304 before anything is computed. The built response is kept with
its raw headers (plain and gzipped), and :class:`CachedResponses`, an ASGI middleware in front
of FastAPI, sends a repeated request straight from that cache: no routing, no parameter
parsing, no pydantic, no thread hop.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson

from emboard.api.state import ApiState, Encoded, Headers, Ready

if TYPE_CHECKING:
    from fastapi import Request, Response

logger = logging.getLogger(__name__)

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
GZIP_MIN_BYTES = 1024
JSON = "application/json"

Scope = dict[str, Any]


def query_key(path: str, query_string: bytes) -> str:
    """Path and query (sorted, repeated keys kept in order) as one string."""
    if not query_string:
        return path + "?"
    items = sorted(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    return path + "?" + "&".join(f"{k}={v}" for k, v in items)


def request_key(request: Request) -> str:
    """The cache key of a request (the same for the middleware and the route)."""
    return query_key(request.scope["path"], request.scope.get("query_string", b""))


def etag_for(generation: int, key: str) -> str:
    """A weak ETag for one request at one store generation."""
    digest = hashlib.blake2b(f"{generation}|{key}".encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def encode_json(data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Encoded:
    """JSON bytes (pydantic models and dataclasses included), with a gzipped copy."""
    body = orjson.dumps(data, default=_default, option=orjson.OPT_SERIALIZE_NUMPY)
    return encode_bytes(body, JSON, headers)


def encode_bytes(
    body: bytes, media_type: str, headers: tuple[tuple[str, str], ...] = ()
) -> Encoded:
    """Bytes with a gzipped copy when large enough to be worth it."""
    gz = gzip.compress(body, compresslevel=5, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    return Encoded(body=body, gzipped=gz, media_type=media_type, headers=headers)


def _default(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True)
    raise TypeError(f"Cannot serialise {type(value).__name__}")


def _raw(headers: dict[str, str]) -> Headers:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


def make_ready(encoded: Encoded, etag: str) -> Ready:
    """``encoded`` with every header it is sent with (plain and gzipped)."""
    common = _common(etag)
    media = encoded.media_type
    if media.startswith("text/") and "charset" not in media:
        media += "; charset=utf-8"
    base = {**common, **dict(encoded.headers), "content-type": media}
    plain = _raw({**base, "content-length": str(len(encoded.body))})
    gzipped = None
    if encoded.gzipped is not None:
        size = str(len(encoded.gzipped))
        gz_headers = _raw({**base, "content-encoding": "gzip", "content-length": size})
        gzipped = (encoded.gzipped, gz_headers)
    return Ready(etag=etag, plain=(encoded.body, plain), gzipped=gzipped, not_modified=_raw(common))


def respond(request: Request, state: ApiState, build: Callable[[], Encoded]) -> Response:
    """The response for ``request``: 304, cached, or built now (and cached)."""
    from fastapi import Response

    generation = state.generation()
    key = request_key(request)
    ready = state.cache.get((generation, key))
    if ready is None:
        etag = etag_for(generation, key)
        if etag in _tags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=_common(etag))
        ready = make_ready(build(), etag)
        state.cache.put((generation, key), ready)
    if ready.etag in _tags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=_common(ready.etag))
    body, headers = ready.pick("gzip" in request.headers.get("accept-encoding", ""))
    response = Response(content=body)
    response.raw_headers = list(headers)
    return response


def _common(etag: str) -> dict[str, str]:
    return {"etag": etag, "cache-control": CACHE_CONTROL, "vary": "Accept-Encoding"}


def _tags(header: str | None) -> set[str]:
    if not header:
        return set()
    tags = {t.strip() for t in header.split(",")}
    return tags | {f"W/{t}" for t in tags if not t.startswith("W/")}


class CachedResponses:
    """ASGI middleware: a GET whose response is in the cache is answered from it directly."""

    def __init__(self, app: Any, state: ApiState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            key = query_key(scope["path"], scope.get("query_string", b""))
            ready = self.state.cache.get((self.state.generation(), key))
            if ready is not None:
                await _send_ready(ready, scope, send)
                return
        await self.app(scope, receive, send)


async def _send_ready(ready: Ready, scope: Scope, send: Any) -> None:
    accepts_gzip = False
    if_none_match = None
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            accepts_gzip = b"gzip" in value
        elif name == b"if-none-match":
            if_none_match = value.decode("latin-1")
    if if_none_match is not None and ready.etag in _tags(if_none_match):
        await send({"type": "http.response.start", "status": 304, "headers": ready.not_modified})
        await send({"type": "http.response.body", "body": b""})
        return
    body, headers = ready.pick(accepts_gzip)
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def warm_up(app: Any, paths: Sequence[str]) -> None:
    """GET each of ``paths`` through ``app`` (gzip accepted), so that their responses are in the
    cache before a client asks; runs after start-up, while the server already answers."""
    for path in paths:
        plain, _, query = path.partition("?")
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": plain,
            "raw_path": plain.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": [(b"host", b"warm-up"), (b"accept-encoding", b"gzip")],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
        }
        try:
            await app(scope, _no_body, _discard)
        except Exception:  # a warm-up failure only costs the first visitor time
            logger.exception("Warming %s failed", path)


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: dict[str, Any]) -> None:
    return None
