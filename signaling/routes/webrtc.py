"""Browser calls over WebRTC (Pipecat SmallWebRTC on aiortc): the SDP offer and ICE patch routes.

GET   /api/ice-servers -> [{"urls", "username"?, "credential"?}] for the browser's RTCPeerConnection
POST  /api/offer   {"sdp", "type": "offer", "session_id"?, "pc_id"?, "restart_pc"?}
                   -> {"sdp", "type": "answer", "pc_id", "session_id", "session_token"}
      With "session_id" the caller continues that session (send its token as a Bearer);
      without, a new `web` session opens. With "pc_id" of a live call, it renegotiates it.
PATCH /api/offer   {"pc_id", "candidates": [{"candidate", "sdp_mid", "sdp_mline_index"}]}
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from aiortc.sdp import candidate_from_sdp
from fastapi import APIRouter, Request, Response
from pipecat.transports.smallwebrtc.connection import IceServer, SmallWebRTCConnection
from pydantic import BaseModel, Field, StrictStr

from agent.calls import CallInProgress, CallsFull
from agent.session import CallSession
from signaling.call_caps import CapReached
from signaling.call_deps import call_deps
from signaling.context import AppContext
from signaling.deps import Ctx, RateLimitedIp, _rate_limit, bearer, client_ip, session_from_token
from signaling.errors import RETRY_LATER, ApiError
from signaling.security import session_tokens
from storage.sessions import create_session, end_session, get_session

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["calls"])

MAX_SDP_CHARS = 20_000
RETRY_SOON = {"Retry-After": "5"}


class OfferIn(BaseModel):
    # The pattern documents what check_sdp asks before aiortc parses the rest.
    sdp: StrictStr = Field(max_length=MAX_SDP_CHARS, json_schema_extra={"pattern": r"^v=0[\s\S]*\nm=audio"})
    type: StrictStr = "offer"
    session_id: uuid.UUID | None = None
    pc_id: str | None = Field(default=None, max_length=200)
    restart_pc: bool = False


class OfferOut(BaseModel):
    sdp: str
    type: str
    pc_id: str
    session_id: uuid.UUID
    session_token: str


class Candidate(BaseModel):
    candidate: str = ""
    sdp_mid: str | None = None
    sdp_mline_index: int | None = None


class PatchIn(BaseModel):
    pc_id: str = Field(max_length=200)
    candidates: list[Candidate] = Field(max_length=50)


def ice_servers(ctx: AppContext) -> list[IceServer]:
    s = ctx.settings
    credential = s.ice_credential.get_secret_value() if s.ice_credential else None
    return [IceServer(urls=url, username=s.ice_username, credential=credential) for url in s.ice_servers]


def check_sdp(sdp: str) -> None:
    """Refuse what is plainly not an SDP offer before any peer connection exists."""
    if not sdp.startswith("v=0"):
        raise ApiError(400, "malformed SDP: an offer starts with 'v=0'")
    if "\nm=audio" not in sdp.replace("\r\n", "\n"):
        raise ApiError(400, "malformed SDP: the offer has no audio section (m=audio)")


@router.get("/ice-servers", dependencies=[RateLimitedIp])
async def get_ice_servers(ctx: Ctx) -> list[dict[str, Any]]:
    """The ICE servers a browser should use (ICE_SERVERS; none by default: loopback and LAN need none)."""
    servers = []
    for server in ice_servers(ctx):
        entry: dict[str, Any] = {"urls": server.urls}
        if server.username:
            entry["username"], entry["credential"] = server.username, server.credential
        servers.append(entry)
    return servers


@router.post("/offer")
async def offer(body: OfferIn, request: Request, ctx: Ctx) -> OfferOut:
    ip = client_ip(request)
    if ctx.settings.rate_limit_enabled:
        await _rate_limit(ctx, "offer", ip, ctx.settings.rate_limit_offers_per_ip)
    if body.type != "offer":
        raise ApiError(400, "malformed SDP: type must be 'offer'")
    check_sdp(body.sdp)
    try:
        ctx.caps.offers.acquire(ip)
    except CapReached as exc:
        raise ApiError(
            429, f"too many offers in progress from your network (at most {exc.limit} at once)", RETRY_SOON
        ) from exc
    try:
        if body.pc_id:
            return await _renegotiate(body, request, ctx)
        return await _new_call(body, request, ctx, ip)
    finally:
        ctx.caps.offers.release(ip)


async def _new_call(body: OfferIn, request: Request, ctx: AppContext, ip: str) -> OfferOut:
    token = bearer(request)
    if body.session_id is not None:
        session_from_token(ctx, token, body.session_id)
        row = await get_session(ctx.storage.pool, body.session_id)
        if row is None or row.owner_id != ctx.owner_id:
            raise ApiError(404, "no such session")
        if row.ended_at is not None:
            raise ApiError(409, "session has ended; start a new call without a session_id")
    caller = f"ip:{ip}"
    try:
        ctx.caps.calls.acquire(caller)
    except CapReached as exc:
        raise ApiError(
            429, f"your network already has {exc.limit} calls in progress; hang one up first", RETRY_LATER
        ) from exc
    try:
        slot = ctx.calls.reserve(body.session_id)
    except CallsFull as exc:
        ctx.caps.calls.release(caller)
        raise ApiError(
            503, "busy: every line is taken right now; please try again in a minute", RETRY_LATER
        ) from exc
    except CallInProgress as exc:
        ctx.caps.calls.release(caller)
        raise ApiError(409, "this session already has a call in progress") from exc

    connection: SmallWebRTCConnection | None = None
    session_id = body.session_id
    created = False
    try:
        deps = await call_deps(ctx)
        connection = SmallWebRTCConnection(ice_servers=ice_servers(ctx))
        try:
            await connection.initialize(sdp=body.sdp, type=body.type)
        except Exception as exc:
            raise ApiError(400, f"malformed SDP: {_reason(exc)}") from exc
        answer = connection.get_answer()
        if answer is None:
            raise ApiError(400, "malformed SDP: no answer could be made for this offer")
        if session_id is None:
            row = await create_session(ctx.storage.pool, ctx.owner_id, "web", {"ip": ip})
            session_id, created = row.id, True
            ctx.calls.rekey(slot, session_id)
            slot = session_id
        call = ctx.calls.start(deps, connection, session_id)
    except BaseException:
        ctx.caps.calls.release(caller)
        ctx.calls.release(slot)
        if connection is not None:
            # A peer that failed half-way through answering can fail to close too (aiortc's
            # half-built transports): the refusal already raised must still reach the client.
            try:
                await connection.disconnect()
            except Exception:
                log.warning("could not close a refused offer's peer connection", exc_info=True)
        if created and session_id is not None:
            await end_session(ctx.storage.pool, session_id)
        raise
    task = ctx.calls.task_of(session_id)
    ctx.caps.calls.release_when_done(caller, task)
    if task is not None:
        watchdog = asyncio.create_task(
            _end_unless_connected(call, task, ctx.settings.call_connect_timeout_s),
            name=f"connect-{session_id}",
        )
        _WATCHDOGS.add(watchdog)
        watchdog.add_done_callback(_WATCHDOGS.discard)
    ttl = ctx.settings.session_token_ttl_s
    return OfferOut(
        sdp=answer["sdp"],
        type=answer["type"],
        pc_id=answer["pc_id"],
        session_id=session_id,
        session_token=session_tokens.issue(ctx.secret, session_id, ttl),
    )


async def _renegotiate(body: OfferIn, request: Request, ctx: AppContext) -> OfferOut:
    assert body.pc_id is not None
    call = ctx.calls.call_for_pc(body.pc_id)
    if call is None or call.connection is None:
        raise ApiError(404, "no live call with that pc_id")
    session_from_token(ctx, bearer(request), call.session_id)
    connection = call.connection
    try:
        await connection.renegotiate(sdp=body.sdp, type=body.type, restart_pc=body.restart_pc)
    except Exception as exc:
        raise ApiError(400, f"malformed SDP: {_reason(exc)}") from exc
    answer = connection.get_answer()
    if answer is None:
        raise ApiError(400, "malformed SDP: no answer could be made for this offer")
    ttl = ctx.settings.session_token_ttl_s
    return OfferOut(
        sdp=answer["sdp"],
        type=answer["type"],
        pc_id=answer["pc_id"],
        session_id=call.session_id,
        session_token=session_tokens.issue(ctx.secret, call.session_id, ttl),
    )


@router.patch("/offer", status_code=204)
async def add_candidates(body: PatchIn, ctx: Ctx) -> Response:
    connection = ctx.calls.connection_for(body.pc_id)
    if connection is None:
        raise ApiError(404, "no live call with that pc_id")
    for c in body.candidates:
        if c.candidate:
            try:
                candidate = candidate_from_sdp(c.candidate.removeprefix("candidate:"))
            except Exception as exc:
                raise ApiError(400, f"malformed ICE candidate: {_reason(exc)}") from exc
            candidate.sdpMid = c.sdp_mid
            candidate.sdpMLineIndex = c.sdp_mline_index
            await connection.add_ice_candidate(candidate)
        else:
            await connection.add_ice_candidate(None)  # end-of-candidates
    return Response(status_code=204)


_WATCHDOGS: set[asyncio.Task[None]] = set()


async def _end_unless_connected(call: CallSession, task: asyncio.Task[None], timeout_s: float) -> None:
    """A peer that offers and never connects must not keep its line: end the call at the deadline.

    (The call's own peer watch does not end a call whose pipeline never saw its client.)
    """
    connection = call.connection
    assert connection is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not task.done():
        if connection.pc.connectionState == "connected":
            return
        await asyncio.sleep(0.25)
    if not task.done():
        log.info("call never connected; ending it", extra={"session_id": str(call.session_id)})
        await call.hang_up("never connected")
        task.cancel()  # its cleanup still runs: session ended, slot freed


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:200]
