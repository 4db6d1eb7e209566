"""Agent jobs for LiveKit rooms: join the room named in the job and run the call there.

A job taken over from a worker that died (`resumed`) joins the same room and session: the
conversation state is in Redis and the turns in Postgres, so the new agent picks up where the
old one stopped and tells the caller so, instead of greeting them again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from agent.calls import CallInProgress, CallsFull
from agent.room_call import RoomCall
from agent.worker import HandBack, JobHandler, JobWorker
from signaling.call_deps import call_deps
from signaling.context import AppContext
from storage.sessions import get_session, run_by

log = logging.getLogger(__name__)

JOB_TYPE = "livekit_room"
PHRASES = Path(__file__).resolve().parents[1] / "agent" / "data" / "phrases.json"


@cache
def phrases() -> dict[str, str]:
    loaded: dict[str, str] = json.loads(PHRASES.read_text(encoding="utf-8"))
    return loaded


def room_job_handler(ctx: AppContext) -> JobHandler:
    async def handle(job: dict[str, Any]) -> None:
        session_id = uuid.UUID(str(job["session_id"]))
        room = str(job["room"])
        resumed = bool(job.get("resumed"))
        if resumed:
            row = await get_session(ctx.storage.pool, session_id)
            if row is None or (row.ended_at is not None and row.end_reason != "worker-lost"):
                log.info("job for %s: the call ended meanwhile; nothing to resume", session_id)
                return
        try:
            ctx.calls.reserve(session_id)
        except (CallsFull, CallInProgress) as exc:  # full since it was claimed: another worker runs it
            raise HandBack from exc
        try:
            deps = await call_deps(ctx, phone=job.get("channel") == "phone")
            if resumed:
                deps = dataclasses.replace(deps, greeting=phrases()["resumed"])
            await run_by(ctx.storage.pool, session_id, ctx.process_name)
            call = ctx.calls.start_call(RoomCall(deps, session_id, room))
        except BaseException:
            ctx.calls.release(session_id)
            raise
        task = ctx.calls.task_of(call.session_id)
        if task is not None:
            await task

    return handle


@asynccontextmanager
async def room_agents(ctx: AppContext, drain_s: float = 0.0) -> AsyncIterator[JobWorker]:
    """A job worker taking room jobs for this process while the block runs."""
    calls = ctx.calls
    worker = JobWorker(
        ctx.storage.redis,
        {JOB_TYPE: room_job_handler(ctx)},
        capacity=ctx.settings.max_calls,
        name=ctx.process_name,
        free_slots=lambda: calls.max_calls - calls.active if calls.can_accept() else 0,
    )
    runner = asyncio.create_task(worker.run(), name="room-agents")
    try:
        yield worker
    finally:
        await worker.stop(drain_s)
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
