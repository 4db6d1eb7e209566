"""Phone calls as Twilio or Telnyx media streams: a WebSocket per call, 8 kHz mu-law both ways.

Point a Twilio number at TwiML like
    <Connect><Stream url="wss://HOST/api/phone/twilio/stream">
      <Parameter name="secret" value="PHONE_STREAM_SECRET"/><Parameter name="from" value="{{From}}"/>
    </Stream></Connect>
or a Telnyx stream at wss://HOST/api/phone/telnyx/stream?secret=PHONE_STREAM_SECRET.
Without PHONE_STREAM_SECRET the route refuses every stream: an open one would let anyone
on the internet place calls into the agent.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pipecat.serializers.base_serializer import FrameSerializer
from pipecat.serializers.telnyx import TelnyxFrameSerializer
from pipecat.serializers.twilio import TwilioFrameSerializer

from agent.calls import CallInProgress, CallsFull
from agent.media_stream_call import MediaStreamCall
from signaling.call_deps import call_deps
from signaling.context import AppContext
from storage.sessions import create_session, end_session

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/phone", tags=["phone"])

START_TIMEOUT_S = 10.0
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


@dataclass(frozen=True)
class StreamStart:
    stream_id: str
    call_id: str
    caller: str
    secret: str
    encoding: str


async def read_start(websocket: WebSocket, provider: str) -> StreamStart | None:
    """Read until the provider's `start` message (after `connected`); None if it never comes."""
    async with asyncio.timeout(START_TIMEOUT_S):
        for _ in range(5):
            message: dict[str, Any] = json.loads(await websocket.receive_text())
            if message.get("event") != "start":
                continue
            start = message.get("start") or {}
            if provider == "twilio":
                params = start.get("customParameters") or {}
                return StreamStart(
                    stream_id=str(start.get("streamSid") or message.get("streamSid") or ""),
                    call_id=str(start.get("callSid") or ""),
                    caller=str(params.get("from") or ""),
                    secret=str(params.get("secret") or websocket.query_params.get("secret") or ""),
                    encoding="PCMU",
                )
            media = start.get("media_format") or {}
            return StreamStart(
                stream_id=str(message.get("stream_id") or ""),
                call_id=str(start.get("call_control_id") or ""),
                caller=str(start.get("from") or ""),
                secret=str(websocket.query_params.get("secret") or ""),
                encoding=str(media.get("encoding") or "PCMU"),
            )
    return None


def serializer_for(provider: str, start: StreamStart) -> FrameSerializer:
    # auto_hang_up needs provider REST credentials; the caller's hang-up ends our side anyway.
    if provider == "twilio":
        return TwilioFrameSerializer(
            start.stream_id, start.call_id, params=TwilioFrameSerializer.InputParams(auto_hang_up=False)
        )
    return TelnyxFrameSerializer(
        start.stream_id,
        start.encoding,
        start.encoding,
        start.call_id,
        params=TelnyxFrameSerializer.InputParams(auto_hang_up=False),
    )


@router.websocket("/{provider}/stream")
async def media_stream(websocket: WebSocket, provider: str) -> None:
    ctx: AppContext = websocket.app.state.ctx
    secret = ctx.settings.phone_stream_secret
    if provider not in ("twilio", "telnyx") or secret is None:
        await websocket.close(POLICY_VIOLATION)
        return
    await websocket.accept()
    try:
        start = await read_start(websocket, provider)
    except (TimeoutError, ValueError, WebSocketDisconnect):
        start = None
    if start is None or not hmac.compare_digest(start.secret.encode(), secret.get_secret_value().encode()):
        log.warning("phone stream refused: no start message or wrong secret")
        await websocket.close(POLICY_VIOLATION)
        return
    try:
        slot = ctx.calls.reserve()
    except (CallsFull, CallInProgress):
        await websocket.close(TRY_AGAIN_LATER)
        return
    session = None
    try:
        caller = {"number": start.caller, "call_id": start.call_id, "provider": provider}
        session = await create_session(ctx.storage.pool, ctx.owner_id, "phone", caller)
        ctx.calls.rekey(slot, session.id)
        slot = session.id
        deps = await call_deps(ctx, phone=True)
        call = ctx.calls.start_call(
            MediaStreamCall(deps, session.id, websocket, serializer_for(provider, start))
        )
    except BaseException:
        ctx.calls.release(slot)
        if session is not None:
            await end_session(ctx.storage.pool, session.id)
        raise
    # The socket belongs to this handler: it must stay open until the call is over.
    task = ctx.calls.task_of(call.session_id)
    if task is not None:
        await asyncio.shield(task)
