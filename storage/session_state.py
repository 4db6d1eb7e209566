"""Per-session conversation state in Redis (JSON, TTL refreshed on every write).

With Redis down, states are kept in this process (bounded, least recently used first out) so
follow-up questions keep their memory; a state saved locally wins over Redis's older copy
until a save reaches Redis again.
"""

from __future__ import annotations

from collections import OrderedDict

from redis.asyncio import Redis

from storage.faults import DEGRADED, UNAVAILABLE

LOCAL_STATES = 2_000
_local: OrderedDict[str, str] = OrderedDict()


def _key(session_id: str) -> str:
    return f"session:{session_id}:state"


def _keep_local(session_id: str, state_json: str) -> None:
    _local[session_id] = state_json
    _local.move_to_end(session_id)
    while len(_local) > LOCAL_STATES:
        _local.popitem(last=False)


async def load_state(redis: Redis, session_id: str) -> str | None:
    local = _local.get(session_id)
    if local is not None:
        return local
    try:
        raw = await redis.get(_key(session_id))
    except UNAVAILABLE:
        DEGRADED.labels("redis", "state-unknown").inc()
        return None
    if raw is None:
        return None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


async def save_state(redis: Redis, session_id: str, state_json: str, ttl_s: int) -> None:
    try:
        await redis.set(_key(session_id), state_json, ex=ttl_s)
    except UNAVAILABLE:
        DEGRADED.labels("redis", "state-in-process").inc()
        _keep_local(session_id, state_json)
        return
    _local.pop(session_id, None)


async def drop_state(redis: Redis, session_id: str) -> None:
    _local.pop(session_id, None)
    await redis.delete(_key(session_id))
