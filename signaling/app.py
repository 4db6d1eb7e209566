"""The FastAPI application: middleware, error handlers, routes, and the storage lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from config.settings import Settings, get_settings
from signaling.context import build_context
from signaling.errors import install_error_handlers
from signaling.middleware import RequestContextMiddleware
from signaling.room_jobs import room_agents
from signaling.routes import (
    analytics,
    audio,
    calls,
    health,
    livekit,
    phone,
    profile,
    query,
    resume,
    sessions,
    webrtc,
)

WEB_DIR = Path(__file__).resolve().parents[1] / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = await build_context(settings)
        app.state.ctx = ctx
        try:
            if settings.livekit_enabled and settings.agent_in_process:
                async with room_agents(ctx):
                    yield
            else:
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
    for module in (health, sessions, query, resume, livekit, webrtc, phone):
        app.include_router(module.router)
    for module in (calls, analytics, audio, profile):  # the owner's side and the visitor page
        app.include_router(module.router)
    if WEB_DIR.is_dir():
        # The call page (plain static files, no build step); mounted last so API routes win.
        app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    return app
