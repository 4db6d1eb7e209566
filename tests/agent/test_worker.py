"""The job worker on real Redis: capacity, acknowledgement, unknown jobs."""

from __future__ import annotations

import asyncio
from typing import Any

from agent.worker import JobWorker
from signaling.context import AppContext
from storage.jobs import GROUP, STREAM, enqueue, ensure_group


async def test_worker_runs_jobs_up_to_capacity_and_acks_them(ctx: AppContext) -> None:
    redis = ctx.storage.redis
    await redis.delete(STREAM)
    await ensure_group(redis)
    release = asyncio.Event()
    started: list[str] = []

    async def handle(job: dict[str, Any]) -> None:
        started.append(job["n"])
        await release.wait()

    worker = JobWorker(redis, {"test": handle}, capacity=2)
    runner = asyncio.create_task(worker.run())
    try:
        for n in ("a", "b", "c"):
            await enqueue(redis, {"type": "test", "n": n})
        await enqueue(redis, {"type": "mystery"})
        for _ in range(100):
            if len(started) == 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert sorted(started) == ["a", "b"] and worker.running == 2
        release.set()
        for _ in range(100):
            pending = await redis.xpending(STREAM, GROUP)
            if len(started) == 3 and pending["pending"] == 0:
                break
            await asyncio.sleep(0.05)
        assert started[-1] == "c"
        assert (await redis.xpending(STREAM, GROUP))["pending"] == 0
    finally:
        await worker.stop()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def test_stop_cancels_running_calls(ctx: AppContext) -> None:
    redis = ctx.storage.redis
    await redis.delete(STREAM)
    cancelled = asyncio.Event()

    async def handle(job: dict[str, Any]) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    worker = JobWorker(redis, {"long": handle}, capacity=1)
    runner = asyncio.create_task(worker.run())
    await enqueue(redis, {"type": "long"})
    for _ in range(100):
        if worker.running:
            break
        await asyncio.sleep(0.05)
    await worker.stop(drain_s=0.2)
    await asyncio.wait_for(runner, 5)
    assert cancelled.is_set() and worker.running == 0
