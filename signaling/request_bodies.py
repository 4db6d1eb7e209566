"""Request bodies: bounded, and JSON that parses, before any route sees them.

The middleware, for every HTTP request:
- refuses a body over its path's limit (JSON_BODY_LIMIT unless the path has its own, like the
  resume upload) with 413: from Content-Length before a byte is read, or while a chunked body
  streams in, so an oversized body is never held whole in memory;
- refuses a body sent as JSON (`application/json`, `application/*+json`) that does not parse
  as UTF-8 JSON without NaN/Infinity with 400 naming the problem (FastAPI itself would answer
  422, or a vague 400 for bad UTF-8 or deep nesting), and JSON whose strings hold what no
  text column can store: NUL (`\u0000`) or a lone surrogate (`\ud800`). Postgres refuses
  those, and a resume carrying one was a 500 (found by schemathesis).
The dependency, on every HTTP router, adds what needs the route: a non-empty body on
POST/PUT/PATCH must be sent as JSON, else 415, also on routes that take no body fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import Depends, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signaling.errors import ApiError

JSON_BODY_LIMIT = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unstorable(value: Any) -> str | None:
    """Why a parsed JSON value's strings could not be stored as text, or None (no recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "a string holds a NUL character (\\u0000)"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "a string holds a lone surrogate (not Unicode text)"
    return None


def parse_error(body: bytes) -> str | None:
    """Why `body` is not valid, storable JSON, or None."""
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (byte {exc.start})"
    except json.JSONDecodeError as exc:
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return "nested too deeply"
    except ValueError as exc:
        return str(exc)
    return _unstorable(value)


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class RequestBodyMiddleware:
    def __init__(self, app: ASGIApp, limits: Mapping[str, int], default: int = JSON_BODY_LIMIT) -> None:
        self.app = app
        self.limits = {path.rstrip("/") or "/": limit for path, limit in limits.items()}
        self.default = default

    def limit_for(self, path: str) -> int:
        return self.limits.get(path.rstrip("/") or "/", self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read(scope, receive)
        except Refused as exc:
            await self._refuse(scope, send, exc)
            return
        if body is None:  # the client went away mid-body
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, scope: Scope, receive: Receive) -> bytes | None:
        headers = dict(scope["headers"])
        limit = self.limit_for(scope["path"])
        too_large = Refused(413, f"request body larger than {limit} bytes (the limit for this route)")
        declared = headers.get(b"content-length", b"")
        if declared.strip().isdigit() and int(declared) > limit:
            raise too_large
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and is_json_type(headers.get(b"content-type", b"").decode("latin-1")):
            reason = parse_error(body)
            if reason is not None:
                raise Refused(400, f"malformed JSON body: {reason}")
        return body

    async def _refuse(self, scope: Scope, send: Send, exc: Refused) -> None:
        request_id = scope.get("state", {}).get("request_id")
        code = "request_entity_too_large" if exc.status == 413 else "bad_request"
        payload = json.dumps({"error": {"code": code, "message": exc.message, "request_id": request_id}})
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        if exc.status == 413:  # the rest of the upload is not read: end the connection
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": exc.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload.encode()})


async def require_json_type(request: Request) -> None:
    if request.method not in BODY_METHODS or not await request.body():
        return
    content_type = request.headers.get("content-type", "")
    if not is_json_type(content_type):
        shown = content_type.split(";", 1)[0].strip() or "none"
        raise ApiError(415, f"send the body as Content-Type: application/json (got {shown})")


JsonBody = Depends(require_json_type)
