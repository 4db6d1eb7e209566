"""Phone calls as Twilio or Telnyx media streams: a WebSocket per call, 8 kHz mu-law both ways.

Point a Twilio number at TwiML like
    <Connect><Stream url="wss://HOST/api/phone/twilio/stream">
      <Parameter name="secret" value="PHONE_STREAM_SECRET"/><Parameter name="from" value="{{From}}"/>
    </Stream></Connect>
or a Telnyx stream at wss://HOST/api/phone/telnyx/stream?secret=PHONE_STREAM_SECRET.
Without PHONE_STREAM_SECRET the route refuses every stream: an open one would let anyone
on the internet place calls into the agent.

The secret is checked before the socket is accepted when the stream presents it in the
handshake: `?secret=`, an `X-Phone-Stream-Secret` header or `Authorization: Bearer` (a wrong one
is refused with HTTP 403, nothing accepted). Twilio can send neither (it drops a stream URL's
query string): its secret arrives in the `start` message, so a stream without one is accepted
as pending, at most PHONE_PENDING_MAX at once, and closed unless a `start` with the right
secret comes within PENDING_TIMEOUT_S. Comparisons are constant-time.

A call refused for capacity (MAX_CALLS, or the measured load over LOAD_THRESHOLD) hears "all
lines are busy, please try again in a minute" and is hung up (agent/busy_line.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pipecat.serializers.base_serializer import FrameSerializer

from agent.busy_line import say_busy_and_hang_up
from agent.media_stream_call import MediaStreamCall
from pipeline.models import MODELS
from signaling.call_caps import CapReached
from signaling.context import AppContext
from signaling.phone_admission import LinesBusy, NumberBusy, admit_phone_call
from signaling.phone_serializers import GuardedTelnyxSerializer, GuardedTwilioSerializer

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/phone", tags=["phone"])

START_TIMEOUT_S = 10.0  # an authenticated stream's `start` (it follows `connected` at once)
PENDING_TIMEOUT_S = 2.0  # a stream that has not shown its secret yet
PENDING = "pending"
POLICY_VIOLATION = 1008
UNSUPPORTED_DATA = 1003
ENCODINGS = ("PCMU", "PCMA")  # what the serializers can decode (Twilio always sends PCMU)
TRY_AGAIN_LATER = 1013


@dataclass(frozen=True)
class StreamStart:
    stream_id: str
    call_id: str
    caller: str
    secret: str
    encoding: str


def handshake_secret(websocket: WebSocket) -> str | None:
    """The secret the stream presented in its handshake, if any."""
    headers = websocket.headers
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return headers.get("x-phone-stream-secret") or websocket.query_params.get("secret") or None


def same_secret(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode(), expected.encode())


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


async def read_start(websocket: WebSocket, provider: str, timeout_s: float) -> StreamStart | None:
    """Read until the provider's `start` message (after `connected`); None if it never comes or
    is not the documented shape."""
    async with asyncio.timeout(timeout_s):
        for _ in range(5):
            frame = await websocket.receive()
            if frame["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(frame.get("code", 1000))
            if frame.get("text") is None:  # a binary frame: not part of either protocol
                continue
            message = json.loads(frame["text"])
            if not isinstance(message, dict) or message.get("event") != "start":
                continue
            start = message.get("start")
            if not isinstance(start, dict):
                return None
            if provider == "twilio":
                params = start.get("customParameters")
                params = params if isinstance(params, dict) else {}
                return StreamStart(
                    stream_id=_text(start.get("streamSid")) or _text(message.get("streamSid")),
                    call_id=_text(start.get("callSid")),
                    caller=_text(params.get("from")),
                    secret=_text(params.get("secret")),
                    encoding="PCMU",
                )
            media = start.get("media_format")
            media = media if isinstance(media, dict) else {}
            return StreamStart(
                stream_id=_text(message.get("stream_id")),
                call_id=_text(start.get("call_control_id")),
                caller=_text(start.get("from")),
                secret="",
                encoding=_text(media.get("encoding")) or "PCMU",
            )
    return None


def serializer_for(provider: str, start: StreamStart) -> FrameSerializer:
    # auto_hang_up needs provider REST credentials; the caller's hang-up ends our side anyway.
    if provider == "twilio":
        return GuardedTwilioSerializer(
            start.stream_id, start.call_id, params=GuardedTwilioSerializer.InputParams(auto_hang_up=False)
        )
    return GuardedTelnyxSerializer(
        start.stream_id,
        start.encoding,
        start.encoding,
        start.call_id,
        params=GuardedTelnyxSerializer.InputParams(auto_hang_up=False),
    )


@router.websocket("/{provider}/stream")
async def media_stream(websocket: WebSocket, provider: str) -> None:
    ctx: AppContext = websocket.app.state.ctx
    configured = ctx.settings.phone_stream_secret
    if provider not in ("twilio", "telnyx") or configured is None:
        await websocket.close(POLICY_VIOLATION)
        return
    expected = configured.get_secret_value()
    presented = handshake_secret(websocket)
    if presented is not None and not same_secret(presented, expected):
        log.warning("phone stream refused: wrong secret")
        await websocket.close(POLICY_VIOLATION)  # before accept: the handshake gets 403
        return
    pending = presented is None
    if pending:
        try:
            ctx.caps.phone_pending.acquire(PENDING)
        except CapReached:
            log.warning("phone stream refused: too many streams still proving their secret")
            await websocket.close(TRY_AGAIN_LATER)
            return
    try:
        await websocket.accept()
        try:
            start = await read_start(websocket, provider, PENDING_TIMEOUT_S if pending else START_TIMEOUT_S)
        except (TimeoutError, ValueError, WebSocketDisconnect):
            start = None
    finally:
        if pending:
            ctx.caps.phone_pending.release(PENDING)
    if start is None or (pending and not same_secret(start.secret, expected)):
        log.warning("phone stream refused: no start message or wrong secret")
        await websocket.close(POLICY_VIOLATION)
        return
    if start.encoding not in ENCODINGS:
        log.warning("phone stream refused: unsupported audio encoding")
        await websocket.close(UNSUPPORTED_DATA)
        return
    await run_call(ctx, websocket, provider, start)


async def run_call(ctx: AppContext, websocket: WebSocket, provider: str, start: StreamStart) -> None:
    caller = {"number": start.caller, "call_id": start.call_id, "provider": provider}
    serializer = serializer_for(provider, start)
    try:
        call = await admit_phone_call(
            ctx,
            "phone",
            caller,
            lambda deps, session_id: MediaStreamCall(deps, session_id, websocket, serializer),
        )
    except NumberBusy:
        log.warning("phone call refused: this number already has its calls in progress")
        await websocket.close(TRY_AGAIN_LATER)
        return
    except LinesBusy:
        log.warning("phone call refused: every line is busy")
        models = MODELS.loaded
        if models is None:  # no voice loaded yet (VOICE_PRELOAD=false): a plain refusal
            await websocket.close(TRY_AGAIN_LATER)
        else:
            await say_busy_and_hang_up(websocket, serializer, models)
        return
    # The socket belongs to this handler: it must stay open until the call is over.
    task = ctx.calls.task_of(call.session_id)
    if task is not None:
        await asyncio.shield(task)
