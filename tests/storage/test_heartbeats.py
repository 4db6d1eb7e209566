"""Heartbeats in Redis and the reaper: a process that stops beating has its live sessions ended."""

from __future__ import annotations

import asyncio

from signaling.context import AppContext
from storage.heartbeats import PROCS, TTL_S, beat, dead_processes, live_processes, reap
from storage.sessions import create_session, get_session, set_worker


async def test_this_process_beats_with_its_calls_and_load(ctx: AppContext) -> None:
    found: dict[str, dict[str, object]] = {}

    async def look() -> None:
        found.update(await live_processes(ctx.storage.redis))

    async with asyncio.timeout(10):
        while ctx.process_name not in found:
            await look()
            await asyncio.sleep(0.2)
    me = found[ctx.process_name]
    assert me["capacity"] == ctx.settings.max_calls and "calls" in me and float(me["load"]) >= 0  # type: ignore[arg-type]


async def test_sessions_of_a_process_that_stopped_beating_are_ended(ctx: AppContext) -> None:
    pool, redis = ctx.storage.pool, ctx.storage.redis
    lost = await create_session(pool, ctx.owner_id, "web")
    kept = await create_session(pool, ctx.owner_id, "web")
    await set_worker(pool, lost.id, "ghost-1")
    await set_worker(pool, kept.id, "alive-1")
    await beat(redis, "ghost-1", {"calls": 1})
    await beat(redis, "alive-1", {"calls": 1})
    await redis.delete("proc:ghost-1")  # what TTL_S seconds without a beat does
    assert TTL_S <= 5

    ended = await reap(redis, pool, await dead_processes(redis))

    assert ended.get("ghost-1") == 1
    row = await get_session(pool, lost.id)
    assert row is not None and row.ended_at is not None and row.end_reason == "worker-lost"
    other = await get_session(pool, kept.id)
    assert other is not None and other.ended_at is None
    assert not await redis.sismember(PROCS, "ghost-1")
    assert (await reap(redis, pool, ["ghost-1"])).get("ghost-1") == 0  # once: nothing left to end
    assert (await reap(redis, pool, ["alive-1"])) == {}  # still beating: not touched
    await redis.srem(PROCS, "alive-1")
    await redis.delete("proc:alive-1")
