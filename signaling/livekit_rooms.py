"""LiveKit mode: rooms for visitors, agents dispatched through the job stream."""

from __future__ import annotations

import logging
import secrets
import uuid
from typing import Any

from livekit import api

from agent.livekit_tokens import visitor_token
from signaling import room_caps
from signaling.context import AppContext
from storage.jobs import enqueue
from storage.sessions import Channel, create_session, end_session

log = logging.getLogger(__name__)

ROOM_KEY_TTL_S = 24 * 3600


def _room_key(room: str) -> str:
    return f"lk:room:{room}"


def livekit_api(ctx: AppContext) -> api.LiveKitAPI:
    settings = ctx.settings
    assert settings.livekit_url and settings.livekit_api_key and settings.livekit_api_secret
    return api.LiveKitAPI(
        settings.livekit_url, settings.livekit_api_key, settings.livekit_api_secret.get_secret_value()
    )


async def open_visitor_room(ctx: AppContext, ip: str) -> tuple[uuid.UUID, dict[str, Any]]:
    """A session with its own room, an agent job for it, and the visitor's join details.

    Raises CapReached when the visitor's IP already holds MAX_CALLS_PER_IP live rooms.
    """
    room = f"web-{secrets.token_hex(8)}"
    settings = ctx.settings
    await room_caps.take(
        ctx.storage.redis,
        ip,
        room,
        limit=settings.max_calls_per_ip,
        hold_s=settings.call_max_s + settings.call_connect_timeout_s,
    )
    session = await create_session(ctx.storage.pool, ctx.owner_id, "livekit", {"room": room})
    lk = livekit_api(ctx)
    try:
        await lk.room.create_room(api.CreateRoomRequest(name=room, empty_timeout=60, max_participants=4))
    finally:
        await lk.aclose()
    await _dispatch(ctx, room, session.id, "livekit")
    assert settings.livekit_api_key and settings.livekit_api_secret and settings.livekit_url
    token = visitor_token(
        settings.livekit_api_key,
        settings.livekit_api_secret.get_secret_value(),
        room,
        f"visitor-{session.id.hex[:12]}",
        settings.livekit_token_ttl_s,
    )
    return session.id, {"url": settings.livekit_url, "room": room, "token": token}


async def on_sip_participant(ctx: AppContext, room: str, attributes: dict[str, str]) -> uuid.UUID | None:
    """First SIP participant of a `call-` room: a phone session and an agent. Retries are no-ops."""
    if not room.startswith("call-"):
        return None
    caller = {
        "room": room,
        "number": attributes.get("sip.phoneNumber", ""),
        "trunk": attributes.get("sip.trunkID", ""),
        "call_id": attributes.get("sip.callID", ""),
    }
    session = await create_session(ctx.storage.pool, ctx.owner_id, "phone", caller)
    # Webhooks are delivered at least once: only the first claims the room.
    claimed = await ctx.storage.redis.set(_room_key(room), str(session.id), nx=True, ex=ROOM_KEY_TTL_S)
    if not claimed:
        await ctx.storage.pool.execute("DELETE FROM sessions WHERE id = $1", session.id)
        return None
    await _dispatch(ctx, room, session.id, "phone", claim=False)
    return session.id


async def on_room_finished(ctx: AppContext, room: str) -> uuid.UUID | None:
    await room_caps.release(ctx.storage.redis, room)
    raw = await ctx.storage.redis.get(_room_key(room))
    if raw is not None:
        session_id = uuid.UUID(raw.decode() if isinstance(raw, bytes) else str(raw))
    else:
        found = await ctx.storage.pool.fetchval(
            "SELECT id FROM sessions WHERE caller->>'room' = $1 ORDER BY started_at DESC LIMIT 1", room
        )
        if found is None:
            return None
        session_id = found
    await end_session(ctx.storage.pool, session_id)
    return session_id


async def _dispatch(
    ctx: AppContext, room: str, session_id: uuid.UUID, channel: Channel, claim: bool = True
) -> None:
    if claim:
        await ctx.storage.redis.set(_room_key(room), str(session_id), ex=ROOM_KEY_TTL_S)
    await enqueue(
        ctx.storage.redis,
        {"type": "livekit_room", "room": room, "session_id": str(session_id), "channel": channel},
    )
    log.info("agent dispatched", extra={"session_id": str(session_id), "event": "dispatch"})
