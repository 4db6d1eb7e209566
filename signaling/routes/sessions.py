"""Visitor sessions: open one, read its history."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from signaling.call_caps import CapReached
from signaling.deps import Ctx, RateLimitedIp, bearer, client_ip, session_from_token, verified_owner_key
from signaling.errors import RETRY_LATER, ApiError
from signaling.livekit_rooms import open_visitor_room
from signaling.security import session_tokens
from storage.api_keys import KEY_PREFIX
from storage.conversations import history
from storage.sessions import Channel, create_session, get_session

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


class LiveKitJoin(BaseModel):
    url: str
    room: str
    token: str


class SessionCreated(BaseModel):
    session_id: uuid.UUID
    session_token: str
    expires_in: int
    livekit: LiveKitJoin | None = None


class TurnOut(BaseModel):
    role: str
    text: str
    created_at: datetime
    latency_ms: float | None = None
    latency: dict[str, float] | None = None
    status: str = "completed"  # an agent turn still playing is 'speaking'; cut off, 'interrupted'
    heard: str | None = None  # of an interrupted agent turn, the part the caller heard


class History(BaseModel):
    session_id: uuid.UUID
    channel: str
    started_at: datetime
    ended_at: datetime | None
    turns: list[TurnOut]


async def open_session(ctx: Ctx, channel: Channel, caller: dict[str, str] | None = None) -> SessionCreated:
    row = await create_session(ctx.storage.pool, ctx.owner_id, channel, caller)
    return session_token_for(ctx, row.id)


def session_token_for(ctx: Ctx, session_id: uuid.UUID) -> SessionCreated:
    ttl = ctx.settings.session_token_ttl_s
    return SessionCreated(
        session_id=session_id, session_token=session_tokens.issue(ctx.secret, session_id, ttl), expires_in=ttl
    )


@router.post("", status_code=201, dependencies=[RateLimitedIp], response_model_exclude_none=True)
async def create(request: Request, ctx: Ctx) -> SessionCreated:
    """A visitor session; in LiveKit mode also a room of its own, an agent in it, and a join token."""
    if ctx.settings.livekit_enabled:
        try:
            session_id, join = await open_visitor_room(ctx, client_ip(request))
        except CapReached as exc:
            raise ApiError(
                429, f"your network already has {exc.limit} calls in progress; hang one up first", RETRY_LATER
            ) from exc
        created = session_token_for(ctx, session_id)
        created.livekit = LiveKitJoin(**join)
        return created
    return await open_session(ctx, "web")


@router.get("/{session_id}/history")
async def get_history(session_id: uuid.UUID, request: Request, ctx: Ctx) -> History:
    token = bearer(request)
    if token and token.startswith(KEY_PREFIX):
        await verified_owner_key(request, ctx, token)
    else:
        session_from_token(ctx, token, session_id)
    row = await get_session(ctx.storage.pool, session_id)
    if row is None or row.owner_id != ctx.owner_id:
        raise ApiError(404, "no such session")
    turns = await history(ctx.storage.pool, session_id)
    return History(
        session_id=row.id,
        channel=row.channel,
        started_at=row.started_at,
        ended_at=row.ended_at,
        turns=[
            TurnOut(
                role=t.role,
                text=t.text,
                created_at=t.created_at,
                latency_ms=t.latency_ms,
                latency=t.latency,
                status=t.status,
                heard=t.heard,
            )
            for t in turns
        ],
    )
