"""What the visitor page shows before anyone asks: GET /api/profile (public).

The person's name, title and summary from the resume, questions suggested from its own items,
and whether calls are recorded (and for how long), so the page can say so before a call.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from signaling.deps import Ctx, RateLimitedIp
from tools.suggestions import suggested_questions

router = APIRouter(prefix="/api", tags=["profile"])


@router.get("/profile", dependencies=[RateLimitedIp])
async def profile(ctx: Ctx) -> dict[str, Any]:
    resume = (await ctx.resume.engine()).resume
    p = resume.profile
    return {
        "name": ctx.settings.owner_name or p.name,
        "title": p.title,
        "summary": p.summary,
        "location": p.location,
        "suggestions": suggested_questions(resume),
        "recording": {"enabled": ctx.settings.record_calls, "retention_h": ctx.settings.audio_retention_h},
    }
