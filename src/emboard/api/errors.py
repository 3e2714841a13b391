"""The API's errors and the one place that turns emboard errors into 4xx responses.

Unknown benchmark / task / model → 404 with close matches; a bad query parameter → 422 whose
body names the parameter; any other :class:`EmboardError` → 400. Bodies are
``{"detail": message, "parameter": name | null}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emboard.errors import EmboardError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse


class NotFoundError(EmboardError):
    """A benchmark, task or model name that does not exist (the message has close matches)."""


class BadParameterError(EmboardError):
    """A query parameter with a value the API cannot use."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"Query parameter {parameter!r}: {message}")
        self.parameter = parameter


def _body(detail: str, parameter: str | None = None) -> dict[str, str | None]:
    return {"detail": detail, "parameter": parameter}


def install_error_handlers(app: FastAPI) -> None:
    """Map emboard errors and FastAPI's validation errors to 404 / 422 / 400 JSON bodies."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(_body(str(exc)), status_code=404)

    async def bad_parameter(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BadParameterError)
        return JSONResponse(_body(str(exc), exc.parameter), status_code=422)

    async def emboard_error(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(_body(str(exc)), status_code=400)

    async def validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _validation_response(exc.errors())

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return JSONResponse(_body(str(exc.detail)), status_code=exc.status_code)

    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(BadParameterError, bad_parameter)
    app.add_exception_handler(EmboardError, emboard_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http_error)


def _validation_response(errors: object) -> JSONResponse:
    from fastapi.responses import JSONResponse

    items = list(errors) if isinstance(errors, list | tuple) else []
    first = items[0] if items and isinstance(items[0], dict) else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body")]
    parameter = loc[0] if loc else None
    message = str(first.get("msg", "invalid value"))
    detail = f"Query parameter {parameter!r}: {message}" if parameter else message
    return JSONResponse(_body(detail, parameter), status_code=422)
