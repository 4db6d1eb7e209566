"""The owner replaces their resume."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request

from signaling.deps import Ctx, OwnerKey
from signaling.errors import ApiError
from signaling.metrics import RESUME_VERSION
from storage.content import replace_resume
from tools.resume_checks import Problem
from tools.resume_import import ResumeImportError, import_resume

router = APIRouter(prefix="/api/resume", tags=["resume"])

MAX_RESUME_BYTES = 1_000_000


def problem_details(problems: list[Problem]) -> list[dict[str, str]]:
    return [{"field": p.field, "message": p.message, "severity": p.severity} for p in problems]


@router.put("")
async def put_resume(request: Request, ctx: Ctx, key: OwnerKey) -> dict[str, object]:
    body = await request.body()
    if len(body) > MAX_RESUME_BYTES:
        raise ApiError(413, f"resume larger than {MAX_RESUME_BYTES} bytes")
    try:
        imported = import_resume(json.loads(body))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(422, f"resume is not valid JSON: {exc}") from exc
    except ResumeImportError as exc:
        first = exc.problems[0]
        raise ApiError(422, str(first), details=problem_details(exc.problems)) from exc
    resume = imported.resume
    async with ctx.storage.pool.acquire() as conn:
        version = await replace_resume(conn, key.owner_id, resume)
    await ctx.resume.reload()
    RESUME_VERSION.set(version)
    return {
        "version": version,
        "items": len(resume.items()),
        "format": imported.format,
        "warnings": problem_details(imported.warnings),
    }
