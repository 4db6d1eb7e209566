"""Agent jobs for LiveKit rooms: join the room named in the job and run the call there."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from agent.room_call import RoomCall
from agent.worker import JobHandler, JobWorker
from signaling.call_deps import call_deps
from signaling.context import AppContext

JOB_TYPE = "livekit_room"


def room_job_handler(ctx: AppContext) -> JobHandler:
    async def handle(job: dict[str, Any]) -> None:
        session_id = uuid.UUID(str(job["session_id"]))
        room = str(job["room"])
        ctx.calls.reserve(session_id)  # raises when this process is full: the job is marked failed
        try:
            deps = await call_deps(ctx, phone=job.get("channel") == "phone")
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
    worker = JobWorker(ctx.storage.redis, {JOB_TYPE: room_job_handler(ctx)}, capacity=ctx.settings.max_calls)
    runner = asyncio.create_task(worker.run(), name="room-agents")
    try:
        yield worker
    finally:
        await worker.stop(drain_s)
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
