"""The owner reads and replaces their resume."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError

from signaling.deps import Ctx, OwnerKey
from signaling.errors import ApiError
from signaling.metrics import RESUME_VERSION
from storage.content import replace_resume
from tools.resume_model import Resume

router = APIRouter(prefix="/api/resume", tags=["resume"])

MAX_RESUME_BYTES = 1_000_000


def validation_message(exc: ValidationError) -> tuple[str, list[dict[str, str]]]:
    details = [{"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"]} for err in exc.errors()]
    first = details[0]
    return f"{first['field'] or 'resume'}: {first['message']}", details


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
async def put_resume(request: Request, ctx: Ctx, key: OwnerKey) -> dict[str, object]:
    body = await request.body()
    if len(body) > MAX_RESUME_BYTES:
        raise ApiError(413, f"resume larger than {MAX_RESUME_BYTES} bytes")
    try:
        resume = Resume.model_validate_json(body)
    except ValidationError as exc:
        message, details = validation_message(exc)
        raise ApiError(422, message, details=details) from exc
    async with ctx.storage.pool.acquire() as conn:
        version = await replace_resume(conn, key.owner_id, resume)
    await ctx.resume.reload()
    RESUME_VERSION.set(version)
    return {"version": version, "items": len(resume.items())}
