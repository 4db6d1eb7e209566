"""Process heartbeats in Redis, and ending the sessions of a process that died.

Every process (serve, worker) writes `proc:<name>` every HEARTBEAT_S seconds with a short TTL
and a payload saying what it runs (active calls, capacity, a load figure), and lists its name
in the `procs` set. A name in the set whose key has expired is a process that died without
saying goodbye (kill -9, a lost machine): its live sessions are ended with reason
'worker-lost', and it is dropped from the set. The caller (signaling/liveness.py) decides
when a missing beat is a death rather than a Redis restart that lost every key at once.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import asyncpg
from redis.asyncio import Redis

log = logging.getLogger(__name__)

HEARTBEAT_S = 1.0
TTL_S = 3  # three missed beats and the process counts as dead
PROCS = "procs"


def _key(name: str) -> str:
    return f"proc:{name}"


async def beat(redis: Redis, name: str, payload: dict[str, Any]) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(_key(name), json.dumps(payload), ex=TTL_S)
        pipe.sadd(PROCS, name)
        await pipe.execute()


async def leave(redis: Redis, name: str) -> None:
    """A clean exit: no heartbeat left to expire."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(_key(name))
        pipe.srem(PROCS, name)
        await pipe.execute()


async def live_processes(redis: Redis) -> dict[str, dict[str, Any]]:
    names = sorted(n.decode() if isinstance(n, bytes) else str(n) for n in await redis.smembers(PROCS))
    if not names:
        return {}
    values = await redis.mget([_key(n) for n in names])
    return {n: json.loads(v) for n, v in zip(names, values, strict=True) if v is not None}


async def dead_processes(redis: Redis) -> list[str]:
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in await redis.smembers(PROCS)]
    if not names:
        return []
    values = await redis.mget([_key(n) for n in names])
    return [n for n, v in zip(names, values, strict=True) if v is None]


async def reap(redis: Redis, pool: asyncpg.Pool, names: list[str]) -> dict[str, int]:
    """End the live sessions of these dead processes; returns sessions ended per process."""
    ended: dict[str, int] = {}
    for name in names:
        if await redis.exists(_key(name)):  # it came back
            continue
        status = await pool.execute(
            "UPDATE sessions SET ended_at = now(), end_reason = COALESCE(end_reason, 'worker-lost')"
            " WHERE worker = $1 AND ended_at IS NULL",
            name,
        )
        ended[name] = int(status.split()[-1])
        await redis.srem(PROCS, name)
        log.warning("process %s stopped beating; ended %d of its sessions", name, ended[name])
    return ended
