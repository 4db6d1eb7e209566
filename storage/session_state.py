"""Per-session conversation state in Redis (JSON, TTL refreshed on every write)."""

from __future__ import annotations

from redis.asyncio import Redis


def _key(session_id: str) -> str:
    return f"session:{session_id}:state"


async def load_state(redis: Redis, session_id: str) -> str | None:
    raw = await redis.get(_key(session_id))
    if raw is None:
        return None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


async def save_state(redis: Redis, session_id: str, state_json: str, ttl_s: int) -> None:
    await redis.set(_key(session_id), state_json, ex=ttl_s)


async def drop_state(redis: Redis, session_id: str) -> None:
    await redis.delete(_key(session_id))
