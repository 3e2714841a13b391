"""Responses with ETag, Cache-Control and gzip, built once per store generation.

Every GET of the API goes through :func:`respond`: the ETag is a hash of the store's generation
(the last finished ingest) and the request's path and sorted query, so a matching
``If-None-Match`` is answered 304 before anything is computed, and a repeated request is served
from the encoded-response cache.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from emboard.api.state import ApiState, Encoded

if TYPE_CHECKING:
    from fastapi import Request, Response

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
GZIP_MIN_BYTES = 1024
JSON = "application/json"


def request_key(request: Request) -> str:
    """Path and query (sorted, repeated keys kept in order) as one string."""
    items = sorted(request.query_params.multi_items())
    return request.url.path + "?" + "&".join(f"{k}={v}" for k, v in items)


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


def respond(request: Request, state: ApiState, build: Callable[[], Encoded]) -> Response:
    """The response for ``request``: 304, cached, or built now (and cached)."""
    from fastapi import Response

    generation = state.board.generation()
    key = request_key(request)
    etag = etag_for(generation, key)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if etag in _tags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    encoded = state.cache.get((generation, key))
    if encoded is None:
        encoded = build()
        state.cache.put((generation, key), encoded)
    headers.update(dict(encoded.headers))
    body = encoded.body
    if encoded.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = encoded.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(content=body, media_type=encoded.media_type, headers=headers)


def _tags(header: str | None) -> set[str]:
    if not header:
        return set()
    tags = {t.strip() for t in header.split(",")}
    return tags | {f"W/{t}" for t in tags if not t.startswith("W/")}
