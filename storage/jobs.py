"""The job stream agent workers read: a Redis stream with one consumer group.

A job is a call to run (a LiveKit room, a phone call). XREADGROUP gives each job to one
worker; a worker acknowledges when the call ends, so a crashed worker's jobs stay pending.
A live worker touches its running jobs every second (XCLAIM to itself, which resets their
idle time); a job idle for longer than IDLE_MS belongs to a worker that died, and another
worker takes it over with XAUTOCLAIM.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

STREAM = "jobs:calls"
GROUP = "agents"
IDLE_MS = 3000  # three missed touches: its worker is gone


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _job(fields: dict[Any, Any]) -> dict[str, Any]:
    raw: Any = fields.get(b"job") or fields.get("job")
    job: dict[str, Any] = json.loads(raw)
    return job


async def ensure_group(redis: Redis) -> None:
    try:
        await redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as exc:  # BUSYGROUP: already there
        if "BUSYGROUP" not in str(exc):
            raise


async def enqueue(redis: Redis, job: dict[str, Any]) -> str:
    job_id = await redis.xadd(STREAM, {"job": json.dumps(job)}, maxlen=10_000, approximate=True)
    return _text(job_id)


async def claim(redis: Redis, consumer: str, block_ms: int = 1000) -> tuple[str, dict[str, Any]] | None:
    await ensure_group(redis)
    got: Any = await redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=1, block=block_ms)
    if not got:
        return None
    _, entries = got[0]
    job_id, fields = entries[0]
    return _text(job_id), _job(fields)


async def reclaim(redis: Redis, consumer: str, count: int = 1) -> list[tuple[str, dict[str, Any]]]:
    """Jobs of dead workers (idle over IDLE_MS), now `consumer`'s; at most `count`."""
    await ensure_group(redis)
    got: Any = await redis.xautoclaim(STREAM, GROUP, consumer, IDLE_MS, start_id="0-0", count=count)
    claimed = []
    for job_id, fields in got[1]:
        if fields:  # an entry trimmed from the stream comes back without its fields
            claimed.append((_text(job_id), _job(fields)))
        else:
            await ack(redis, _text(job_id))
    return claimed


async def touch(redis: Redis, consumer: str, job_ids: list[str]) -> None:
    """This worker is alive and still running these jobs: reset their idle time."""
    if job_ids:
        ids: list[Any] = list(job_ids)
        await redis.xclaim(STREAM, GROUP, consumer, 0, ids, justid=True)


async def hand_back(redis: Redis, job_id: str, job: dict[str, Any]) -> str:
    """A job this worker cannot run after all: queued again for the others, then acked here."""
    new_id = await enqueue(redis, job)
    await ack(redis, job_id)
    return new_id


async def pending(redis: Redis) -> int:
    await ensure_group(redis)
    summary: Any = await redis.xpending(STREAM, GROUP)
    return int(summary["pending"])


async def ack(redis: Redis, job_id: str) -> None:
    await redis.xack(STREAM, GROUP, job_id)
