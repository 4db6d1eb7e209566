"""LiveKit webhooks: verified, then turned into agent dispatches and session ends."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from livekit import api

from signaling.deps import Ctx
from signaling.errors import ApiError
from signaling.livekit_rooms import on_room_finished, on_sip_participant

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/livekit", tags=["livekit"])


@router.post("/webhook")
async def webhook(request: Request, ctx: Ctx) -> dict[str, str]:
    settings = ctx.settings
    if not (settings.livekit_api_key and settings.livekit_api_secret):
        raise ApiError(404, "LiveKit is not configured")
    body = (await request.body()).decode("utf-8", errors="replace")
    receiver = api.WebhookReceiver(
        api.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret.get_secret_value())
    )
    try:
        event = receiver.receive(body, request.headers.get("authorization", ""))
    except Exception as exc:  # bad signature, wrong body hash, malformed token or body
        raise ApiError(401, "invalid webhook signature") from exc
    room = event.room.name
    if event.event == "participant_joined" and event.participant.kind == api.ParticipantInfo.Kind.SIP:
        await on_sip_participant(ctx, room, dict(event.participant.attributes))
    elif event.event == "room_finished":
        await on_room_finished(ctx, room)
    return {"status": "ok"}
