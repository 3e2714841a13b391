"""The built web app (``web/dist``) and the API docs page, both served from this machine.

Static files are looked up inside the dist folder only: a path that resolves outside it
(``..``, symlinks, encoded slashes) or names no file is a 404. Hashed assets are cached for a
year; ``index.html`` is revalidated. ``/docs`` is Swagger UI from the ``fastapi-offline``
package's files, started by a script file (the CSP forbids inline scripts).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

REPO_WEB_DIST = Path(__file__).resolve().parents[3] / "web" / "dist"
OPENAPI_URL = "/api/v1/openapi.json"
_DOCS_FILES = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}
_DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>emboard API</title>
<link rel="icon" href="/api/docs-assets/favicon.png">
<link rel="stylesheet" href="/api/docs-assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs-assets/swagger-ui-bundle.js"></script>
<script src="/api/docs-assets/init.js"></script></body></html>
"""
_DOCS_INIT = (
    f'window.ui = SwaggerUIBundle({{url: "{OPENAPI_URL}", dom_id: "#swagger-ui", '
    "deepLinking: true});\n"
)
NOT_BUILT = "The web app is not built: run `make install` (npm ci && npm run build in web/).\n"


def _docs_assets() -> Path | None:
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "static"


def docs_router() -> APIRouter:
    """``/docs`` and its local assets."""
    router = APIRouter(include_in_schema=False)
    assets = _docs_assets()

    @router.get("/docs")
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_HTML)

    @router.get("/api/docs-assets/init.js")
    def docs_init() -> Response:
        return Response(_DOCS_INIT, media_type="text/javascript")

    @router.get("/api/docs-assets/{name}")
    def docs_asset(name: str) -> Response:
        if assets is None or name not in _DOCS_FILES or not (assets / name).is_file():
            return PlainTextResponse("Not found\n", status_code=404)
        return FileResponse(assets / name, headers={"Cache-Control": "public, max-age=86400"})

    return router


def safe_file(root: Path, path: str) -> Path | None:
    """``root/path`` when it is a file inside ``root`` (None for anything else)."""
    if "\\" in path or "\x00" in path or any(p in ("..", ".") for p in path.split("/")):
        return None
    base = root.resolve()
    candidate = (base / path).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate


def mount_web(app: FastAPI, dist: Path | None) -> None:
    """Serve ``dist`` at ``/`` (after every other route)."""
    root = dist if dist is not None else REPO_WEB_DIST

    @app.get("/{path:path}", include_in_schema=False)
    def web_file(path: str) -> Response:
        if path.startswith("api/"):
            return PlainTextResponse("Not found\n", status_code=404)
        index = root / "index.html"
        if path in ("", "index.html"):
            if not index.is_file():
                return PlainTextResponse(NOT_BUILT, status_code=503)
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        found = safe_file(root, path)
        if found is None:
            return PlainTextResponse("Not found\n", status_code=404)
        immutable = path.startswith("assets/")
        cache = "public, max-age=31536000, immutable" if immutable else "public, max-age=3600"
        return FileResponse(found, headers={"Cache-Control": cache})
