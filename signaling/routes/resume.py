"""The owner reads and replaces their resume (this project's format or JSON Resume, checked first)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel

from signaling.deps import Ctx, OwnerKey
from signaling.errors import ApiError
from signaling.metrics import RESUME_VERSION
from storage.content import replace_resume
from tools.resume_checks import Problem
from tools.resume_import import ResumeImportError, import_resume

router = APIRouter(prefix="/api/resume", tags=["resume"])

MAX_RESUME_BYTES = 1_000_000  # the body limit of this route (signaling/app.py)


class ProblemOut(BaseModel):
    field: str
    message: str
    severity: str


class ResumeReplaced(BaseModel):
    version: int
    items: int
    format: str
    warnings: list[ProblemOut]


def problem_details(problems: list[Problem]) -> list[dict[str, str]]:
    return [{"field": p.field, "message": p.message, "severity": p.severity} for p in problems]


@router.get("")
async def get_resume(ctx: Ctx, _key: OwnerKey) -> dict[str, object]:
    """The resume being served, with its version and item count."""
    resume = (await ctx.resume.engine()).resume  # (re-reads the version: a CLI import shows at once)
    return {
        "version": ctx.resume.version,
        "items": len(resume.items()),
        "resume": resume.model_dump(mode="json"),
    }


@router.put("")
async def put_resume(
    ctx: Ctx,
    key: OwnerKey,
    document: dict[str, Any] = Body(  # noqa: B008
        description="The resume: this project's format (README, 'Resume format') or JSON Resume."
        f" At most {MAX_RESUME_BYTES} bytes, enforced before parsing."
    ),
) -> ResumeReplaced:
    try:
        imported = import_resume(document)
    except ResumeImportError as exc:
        raise ApiError(422, str(exc.problems[0]), details=problem_details(exc.problems)) from exc
    resume = imported.resume
    async with ctx.storage.pool.acquire() as conn:
        version = await replace_resume(conn, key.owner_id, resume)
    await ctx.resume.reload()
    RESUME_VERSION.set(version)
    return ResumeReplaced(
        version=version,
        items=len(resume.items()),
        format=imported.format,
        warnings=[ProblemOut(**p) for p in problem_details(imported.warnings)],
    )
