"""The FastAPI application: middleware, error handlers, routes, and the storage lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from config.settings import Settings, get_settings
from signaling.context import build_context
from signaling.errors import install_error_handlers
from signaling.middleware import RequestContextMiddleware
from signaling.routes import health, livekit, query, resume, sessions


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = await build_context(settings)
        app.state.ctx = ctx
        try:
            yield
        finally:
            await ctx.close()

    app = FastAPI(title="Resume voice agent", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
        )
    app.add_middleware(RequestContextMiddleware)
    for module in (health, sessions, query, resume, livekit):
        app.include_router(module.router)
    return app
