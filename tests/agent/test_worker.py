"""The job worker on real Redis: capacity, acknowledgement, unknown jobs."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import REGISTRY

from agent.worker import HandBack, JobWorker
from signaling.context import AppContext
from storage.jobs import GROUP, IDLE_MS, STREAM, claim, enqueue, ensure_group, pending, reclaim
from tests.caller import poll


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
        await _wait(lambda: len(started) == 2)
        await asyncio.sleep(0.3)  # time for a third to start, were capacity not respected
        assert sorted(started) == ["a", "b"] and worker.running == 2
        release.set()
        await _wait(lambda: len(started) == 3)
        assert started[-1] == "c"
        for _ in range(300):  # the acks are Redis writes, awaited here rather than polled in a lambda
            if (await redis.xpending(STREAM, GROUP))["pending"] == 0:
                break
            await asyncio.sleep(0.05)
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
    await _wait(lambda: worker.running > 0)
    await worker.stop(drain_s=0.2)
    await asyncio.wait_for(runner, 5)
    assert cancelled.is_set() and worker.running == 0


async def _wait(predicate: Any, timeout_s: float = 15.0) -> None:
    await poll(predicate, timeout_s, "the workers never got there", interval_s=0.05)


async def test_a_dead_workers_job_is_taken_over_and_a_live_ones_is_not(ctx: AppContext) -> None:
    redis = ctx.storage.redis
    await redis.delete(STREAM)
    await ensure_group(redis)
    ran: list[tuple[str, bool]] = []
    release = asyncio.Event()

    async def handle(job: dict[str, Any]) -> None:
        ran.append((job["n"], bool(job.get("resumed"))))
        await release.wait()

    # "dead" claims a job the way a worker does, then never touches it again (kill -9).
    await enqueue(redis, {"type": "t", "n": "orphan"})
    assert await claim(redis, "dead", block_ms=100) is not None
    live = JobWorker(redis, {"t": handle}, capacity=2, name="live")
    runner = asyncio.create_task(live.run())
    try:
        await enqueue(redis, {"type": "t", "n": "fresh"})
        await _wait(lambda: len(ran) == 2)
        # The fresh one at once; the orphan once it has been idle IDLE_MS, flagged as resumed.
        assert ran == [("fresh", False), ("orphan", True)]
        consumers = {c["name"]: c["pending"] for c in await redis.xinfo_consumers(STREAM, GROUP)}
        assert consumers.get(b"live", consumers.get("live")) == 2
        # The live worker touches its running jobs, so nobody takes them over while it lives.
        other = JobWorker(redis, {"t": handle}, capacity=2, name="other")
        assert await reclaim(redis, "other") == []
        await asyncio.sleep(IDLE_MS / 1000 + 0.5)
        assert await reclaim(redis, other.name) == []
        release.set()
        await _wait(lambda: live.running == 0)
        assert await pending(redis) == 0
    finally:
        await live.stop()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def test_a_full_process_does_not_claim_and_a_handed_back_job_runs_elsewhere(ctx: AppContext) -> None:
    redis = ctx.storage.redis
    await redis.delete(STREAM)
    await ensure_group(redis)
    ran: dict[str, list[str]] = {"full": [], "fickle": [], "free": []}
    release = asyncio.Event()

    def handler(name: str, refuse: bool = False) -> Any:
        async def handle(job: dict[str, Any]) -> None:
            ran[name].append(job["n"])
            if refuse:
                raise HandBack
            await release.wait()

        return handle

    # "full" has job capacity, but its process's calls (browser, phone) take every slot.
    full = JobWorker(redis, {"t": handler("full")}, capacity=4, name="full", free_slots=lambda: 0)
    fickle = JobWorker(redis, {"t": handler("fickle", refuse=True)}, capacity=1, name="fickle")
    runners = [asyncio.create_task(full.run()), asyncio.create_task(fickle.run())]
    free: JobWorker | None = None
    try:
        await enqueue(redis, {"type": "t", "n": "job"})
        await _wait(lambda: len(ran["fickle"]) >= 1)
        await fickle.stop()  # it handed the job back; now let someone else have it
        free = JobWorker(redis, {"t": handler("free")}, capacity=1, name="free")
        runners.append(asyncio.create_task(free.run()))
        await _wait(lambda: ran["free"] == ["job"])
        assert ran["full"] == []
        release.set()
        await _wait(lambda: free is not None and free.running == 0)
        assert await pending(redis) == 0
    finally:
        for w in (full, fickle, free):
            if w is not None:
                await w.stop()
        for r in runners:
            r.cancel()
        await asyncio.gather(*runners, return_exceptions=True)


async def test_a_job_whose_ack_fails_is_acked_once_redis_takes_writes_again(ctx: AppContext) -> None:
    """Redis refusing writes for 3 s (CLIENT PAUSE WRITE) as a job ends: the ack times out
    (REDIS_TIMEOUT_S=1), is tried again, and lands; the job is not left pending to run twice."""
    redis = ctx.storage.redis
    await redis.delete(STREAM)
    await ensure_group(redis)
    release = asyncio.Event()
    started: list[str] = []

    async def handle(job: dict[str, Any]) -> None:
        started.append(job["n"])
        await release.wait()

    worker = JobWorker(redis, {"test": handle}, capacity=1)
    runner = asyncio.create_task(worker.run())
    retried = REGISTRY.get_sample_value("resume_agent_job_ack_retries_total") or 0.0
    try:
        await enqueue(redis, {"type": "test", "n": "a"})
        await _wait(lambda: started == ["a"])
        await redis.execute_command("CLIENT", "PAUSE", "3000", "WRITE")
        release.set()
        await _wait(lambda: (REGISTRY.get_sample_value("resume_agent_job_ack_retries_total") or 0) > retried)
        for _ in range(300):
            if (await redis.xpending(STREAM, GROUP))["pending"] == 0:
                break
            await asyncio.sleep(0.05)
        assert (await redis.xpending(STREAM, GROUP))["pending"] == 0
    finally:
        await redis.execute_command("CLIENT", "UNPAUSE")
        await worker.stop()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
