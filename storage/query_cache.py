"""Answer cache for context-free questions.

Keys carry the resume version, so importing a resume invalidates every entry at once;
entries expire after QUERY_CACHE_TTL_S.
"""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis


def cache_key(owner_id: int, resume_version: int, source: str, text: str) -> str:
    normalised = " ".join(text.lower().split())
    digest = hashlib.sha256(normalised.encode()).hexdigest()[:32]
    return f"qcache:{owner_id}:{resume_version}:{source}:{digest}"


async def get_cached(redis: Redis, key: str) -> str | None:
    raw = await redis.get(key)
    if raw is None:
        return None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


async def put_cached(redis: Redis, key: str, value: str, ttl_s: int) -> None:
    if ttl_s > 0:
        await redis.set(key, value, ex=ttl_s)
