"""The job stream agent workers read: a Redis stream with one consumer group.

A job is a call to run (a LiveKit room, a phone call). XREADGROUP gives each job to one
worker; a worker acknowledges when the call ends, so a crashed worker's jobs stay pending.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

STREAM = "jobs:calls"
GROUP = "agents"


async def ensure_group(redis: Redis) -> None:
    try:
        await redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as exc:  # BUSYGROUP: already there
        if "BUSYGROUP" not in str(exc):
            raise


async def enqueue(redis: Redis, job: dict[str, Any]) -> str:
    job_id = await redis.xadd(STREAM, {"job": json.dumps(job)}, maxlen=10_000, approximate=True)
    return job_id.decode() if isinstance(job_id, bytes) else str(job_id)


async def claim(redis: Redis, consumer: str, block_ms: int = 1000) -> tuple[str, dict[str, Any]] | None:
    await ensure_group(redis)
    got: Any = await redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=1, block=block_ms)
    if not got:
        return None
    _, entries = got[0]
    job_id, fields = entries[0]
    raw = fields.get(b"job") or fields.get("job")
    job_id = job_id.decode() if isinstance(job_id, bytes) else str(job_id)
    return job_id, json.loads(raw)


async def ack(redis: Redis, job_id: str) -> None:
    await redis.xack(STREAM, GROUP, job_id)
