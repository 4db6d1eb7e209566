"""Annotated dependencies: the app context, owner API keys, session tokens, rate limits."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from signaling.context import AppContext
from signaling.errors import ApiError
from signaling.metrics import RATE_LIMITED
from signaling.security import session_tokens
from storage.api_keys import KEY_PREFIX, ApiKey


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


async def _rate_limit(ctx: AppContext, scope: str, subject: str, limit: int) -> None:
    if not ctx.settings.rate_limit_enabled:
        return
    decision = await ctx.limiter.hit(f"{scope}:{subject}", limit, ctx.settings.rate_limit_window_s)
    if not decision.allowed:
        RATE_LIMITED.labels(scope).inc()
        raise ApiError(
            429,
            f"too many requests; retry in {decision.retry_after_s} s",
            headers={"Retry-After": str(decision.retry_after_s)},
        )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def verified_owner_key(request: Request, ctx: AppContext, token: str) -> ApiKey:
    """The owner key `token` is, or 401 (unknown or revoked keys also count against the IP)."""
    key = await ctx.owner_keys.verify(token)
    if key is None:
        await _rate_limit(ctx, "bad-key", client_ip(request), ctx.settings.rate_limit_per_ip)
        raise ApiError(401, "invalid or revoked API key", {"WWW-Authenticate": "Bearer"})
    return key


async def rate_limit_ip(request: Request, ctx: Ctx) -> None:
    """Per-IP limit for anonymous callers; a request with a verified owner key is limited per key
    instead. A bearer that merely looks like an owner key is checked first: 401 if it is not one."""
    token = bearer(request)
    if token and token.startswith(KEY_PREFIX):
        key = await verified_owner_key(request, ctx, token)
        await _rate_limit(ctx, "key", key.prefix, ctx.settings.rate_limit_per_key)
        return
    await _rate_limit(ctx, "ip", client_ip(request), ctx.settings.rate_limit_per_ip)


RateLimitedIp = Depends(rate_limit_ip)


async def require_owner_key(request: Request, ctx: Ctx) -> ApiKey:
    token = bearer(request)
    if not token:
        raise ApiError(
            401, "missing API key: send 'Authorization: Bearer <key>'", {"WWW-Authenticate": "Bearer"}
        )
    key = await verified_owner_key(request, ctx, token)
    await _rate_limit(ctx, "key", key.prefix, ctx.settings.rate_limit_per_key)
    return key


OwnerKey = Annotated[ApiKey, Depends(require_owner_key)]


def session_from_token(ctx: AppContext, token: str | None, session_id: uuid.UUID) -> None:
    """Raise 401/403 unless `token` is a live session token for exactly `session_id`."""
    if not token:
        raise ApiError(401, "missing session token: send 'Authorization: Bearer <session_token>'")
    try:
        token_session = session_tokens.verify(ctx.secret, token)
    except session_tokens.TokenError as exc:
        raise ApiError(401, str(exc)) from exc
    if token_session != session_id:
        raise ApiError(403, "session token is for another session")
