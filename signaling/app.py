"""The FastAPI application: middleware, error handlers, routes, and the storage lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.routing import Route

from config.settings import Settings, get_settings
from signaling.context import build_context
from signaling.errors import API_ERRORS, install_error_handlers
from signaling.middleware import RequestContextMiddleware
from signaling.request_bodies import JsonBody, RequestBodyMiddleware
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
from signaling.sip_calls import sip_endpoint

WEB_DIR = Path(__file__).resolve().parents[1] / "web"


class WebPath(PathConvertor):
    """Any path outside /api/: the call page's files (API paths get the router's 404/405)."""

    regex = r"(?!api/).*"


register_url_convertor("web", WebPath())


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = await build_context(settings)
        app.state.ctx = ctx
        try:
            async with sip_endpoint(ctx) as sip:
                app.state.sip = sip
                if settings.livekit_enabled and settings.agent_in_process:
                    async with room_agents(ctx):
                        yield
                else:
                    yield
        finally:
            await ctx.close()

    app = FastAPI(title="Resume voice agent", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    # Innermost, so its 413/400 still get CORS headers, the request id and a log line.
    app.add_middleware(RequestBodyMiddleware, limits={"/api/resume": resume.MAX_RESUME_BYTES})
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-Id"],
        )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    for module in (sessions, query, resume, livekit, webrtc):
        app.include_router(module.router, dependencies=[JsonBody], responses=API_ERRORS)
    app.include_router(phone.router)  # WebSockets: no HTTP body
    for module in (calls, analytics, audio, profile):  # the owner's side and the visitor page
        app.include_router(module.router, dependencies=[JsonBody], responses=API_ERRORS)
    if WEB_DIR.is_dir():
        # The call page (plain static files, no build step), last so API routes win. A GET route
        # rather than a mount at /, which would answer any method on any path, so that a wrong
        # method on an API path is the router's 405 with that route's Allow header.
        web = StaticFiles(directory=WEB_DIR, html=True)
        app.router.routes.append(Route("/{path:web}", web, methods=["GET", "HEAD"], name="web"))
    return app
