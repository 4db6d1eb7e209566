"""The owner replaces their resume."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from signaling.deps import Ctx, OwnerKey
from signaling.metrics import RESUME_VERSION
from storage.content import replace_resume
from tools.resume_model import Resume

router = APIRouter(prefix="/api/resume", tags=["resume"])

MAX_RESUME_BYTES = 1_000_000  # the body limit of this route (signaling/app.py)


class ResumeReplaced(BaseModel):
    version: int
    items: int


@router.put("")
async def put_resume(resume: Resume, ctx: Ctx, key: OwnerKey) -> ResumeReplaced:
    """The body is the resume (at most MAX_RESUME_BYTES, enforced before parsing)."""
    async with ctx.storage.pool.acquire() as conn:
        version = await replace_resume(conn, key.owner_id, resume)
    await ctx.resume.reload()
    RESUME_VERSION.set(version)
    return ResumeReplaced(version=version, items=len(resume.items()))
