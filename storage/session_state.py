"""Per-session conversation state in Redis (JSON, TTL refreshed on every write).

With Redis down, states are kept in this process (bounded, least recently used first out) so
follow-up questions keep their memory; a state saved locally wins over Redis's older copy
until a save reaches Redis again.
"""

from __future__ import annotations

from collections import OrderedDict

from redis.asyncio import Redis

from storage.faults import or_fallback

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
    raw = await or_fallback(
        redis, lambda: redis.get(_key(session_id)), lambda: None, "redis", "state-unknown"
    )
    if raw is None:
        return None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


async def save_state(redis: Redis, session_id: str, state_json: str, ttl_s: int) -> None:
    async def in_redis() -> bool:
        await redis.set(_key(session_id), state_json, ex=ttl_s)
        _local.pop(session_id, None)
        return True

    def in_process() -> bool:
        _keep_local(session_id, state_json)
        return False

    await or_fallback(redis, in_redis, in_process, "redis", "state-in-process")


async def drop_state(redis: Redis, session_id: str) -> None:
    _local.pop(session_id, None)
    await redis.delete(_key(session_id))
