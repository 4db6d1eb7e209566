"""One JSON error shape for every 4xx/5xx: {"error": {"code", "message", "request_id", "details"?}}."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from storage.faults import unavailable

log = logging.getLogger(__name__)


# Retry-After for refusals that clear when a call ends (caps, full lines).
RETRY_LATER = {"Retry-After": "30"}


class ApiError(Exception):
    """An error meant for the client: its message is safe to show."""

    def __init__(
        self, status: int, message: str, headers: dict[str, str] | None = None, details: Any = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
        self.details = details


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    request_id: str | None
    details: list[ErrorDetail] | None = None


class ErrorOut(BaseModel):
    """The one shape of every 4xx/5xx answer."""

    error: ErrorInfo


_MEANINGS = {
    400: "malformed request: bad JSON, SDP or ICE candidate",
    401: "missing, invalid, expired or revoked credentials",
    403: "a credential for something else",
    404: "no such resource",
    409: "conflicts with the resource's state",
    413: "body over the route's limit (64 kB; the resume 1 MB)",
    415: "body not sent as application/json",
    422: "a field fails validation",
    429: "a rate limit or a per-caller cap; see Retry-After",
    503: "no capacity right now, or the storage this needs is down; see Retry-After",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the error answers a route can give, all in the ErrorOut shape."""
    return {code: {"model": ErrorOut, "description": _MEANINGS[code]} for code in codes}


API_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)


def error_body(request: Request, status: int, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": HTTPStatus(status).phrase.lower().replace(" ", "_"),
        "message": message,
        "request_id": getattr(request.state, "request_id", None),
    }
    if details is not None:
        body["details"] = details
    return {"error": body}


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"), "message": err.get("msg", "")}
        for err in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(request, exc.status, exc.message, exc.details), exc.status, headers=exc.headers
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return JSONResponse(
            error_body(request, exc.status_code, message), exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        first = details[0] if details else {"field": "", "message": "invalid request"}
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return JSONResponse(error_body(request, 422, message, details), 422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if unavailable(exc):  # Postgres or Redis down: a route that cannot do without it
            log.warning("storage unavailable: %s", type(exc).__name__)
            body = error_body(request, 503, "storage unavailable; retry shortly")
            return JSONResponse(body, 503, headers={"Retry-After": "2"})
        log.exception("unhandled error", extra={"request_id": getattr(request.state, "request_id", None)})
        return JSONResponse(error_body(request, 500, "internal error"), 500)
