"""What the owner learns from the calls: GET /api/analytics?since (default: the last 30 days)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter

from signaling.deps import Ctx, OwnerKey
from signaling.query_params import IsoDateTime
from storage.analytics import analytics

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

DEFAULT_WINDOW = timedelta(days=30)


@router.get("")
async def get_analytics(ctx: Ctx, _key: OwnerKey, since: IsoDateTime | None = None) -> dict[str, Any]:
    """Top questions, intents, unanswered questions (what to add to the resume), latency
    percentiles (voice: end of caller speech to first agent audio; answer: compute time),
    calls per day by channel, and totals."""
    start = since or datetime.now(UTC) - DEFAULT_WINDOW
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    result = await analytics(ctx.storage.pool, ctx.owner_id, start)
    return {"since": start.isoformat(), **asdict(result)}
