"""Liveness, readiness and the Prometheus exposition."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from signaling.deps import Ctx

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", responses={200: {"description": "ready, or degraded: `degraded` names what is down"}})
async def ready(ctx: Ctx) -> JSONResponse:
    """Ready, or degraded: with Postgres or Redis down the service still answers from the resume
    in memory (docs/faults.md), so it stays in rotation and says what is missing."""
    checks = await ctx.storage.ping()
    degraded = sorted({name for name, ok in checks.items() if not ok} | ctx.storage.restarting)
    if not degraded:
        return JSONResponse({"status": "ready", "checks": checks})
    return JSONResponse({"status": "degraded", "checks": checks, "degraded": degraded})


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
