"""Playback of a local recording through a signed, expiring link (signaling/security/audio_links.py).

On S3 the owner's API hands out presigned URLs instead, and this route is never used.
"""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from signaling.deps import Ctx
from signaling.errors import ApiError
from signaling.security.audio_links import LinkError, verify
from storage.audio import LocalAudioStore, check_key

router = APIRouter(prefix="/api/audio", tags=["calls"])


@router.get("/{key:path}")
async def play(
    key: str, ctx: Ctx, expires: int = Query(...), sig: str = Query(..., max_length=100)
) -> FileResponse:
    try:
        verify(ctx.secret, key, expires, sig)
    except LinkError as exc:
        raise ApiError(403, str(exc)) from exc
    store = ctx.audio
    if not isinstance(store, LocalAudioStore):
        raise ApiError(404, "recordings are on S3: use the presigned link")
    try:
        path = store.path(check_key(key))
    except ValueError as exc:
        raise ApiError(400, "invalid audio key") from exc
    if not path.is_file():
        raise ApiError(404, "this recording no longer exists (deleted, or past AUDIO_RETENTION_H)")
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "private, max-age=60"})
