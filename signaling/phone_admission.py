"""Admitting a phone call, whatever carried it (a Twilio/Telnyx stream, a SIP INVITE).

The order is the same for every phone transport: the calling number's cap (the carrier is
every caller's network peer, so the per-caller cap counts numbers), then a slot in the process
(count and measured load), then a session and the call itself. A failure at any step gives
back what the earlier steps took; the number's hold is handed to the call and released when
it ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from agent.calls import CallInProgress, CallsFull
from agent.session import CallDeps, CallSession
from signaling.call_caps import CapReached
from signaling.call_deps import call_deps
from signaling.context import AppContext
from storage.sessions import Channel, create_session, end_session


class NumberBusy(Exception):
    """The calling number already holds MAX_CALLS_PER_IP calls."""


class LinesBusy(Exception):
    """The process is full (MAX_CALLS) or too loaded (LOAD_THRESHOLD)."""


async def admit_phone_call(
    ctx: AppContext,
    channel: Channel,
    caller: dict[str, Any],
    make_call: Callable[[CallDeps, uuid.UUID], CallSession],
) -> CallSession:
    """Start the call made by `make_call`; raises NumberBusy or LinesBusy when it is refused."""
    number = caller.get("number")
    caller_key = f"phone:{number}" if number else None
    try:
        if caller_key is not None:
            ctx.caps.calls.acquire(caller_key)
    except CapReached as exc:
        raise NumberBusy from exc
    try:
        slot = ctx.calls.reserve()
    except (CallsFull, CallInProgress) as exc:
        if caller_key is not None:
            ctx.caps.calls.release(caller_key)
        raise LinesBusy from exc
    session = None
    try:
        session = await create_session(ctx.storage.pool, ctx.owner_id, channel, caller)
        ctx.calls.rekey(slot, session.id)
        slot = session.id
        deps = await call_deps(ctx, phone=True)
        call = ctx.calls.start_call(make_call(deps, session.id))
    except BaseException:
        ctx.calls.release(slot)
        if caller_key is not None:
            ctx.caps.calls.release(caller_key)
        if session is not None:
            await end_session(ctx.storage.pool, session.id)
        raise
    if caller_key is not None:
        ctx.caps.calls.release_when_done(caller_key, ctx.calls.task_of(call.session_id))
    return call
