"""Answer cache for context-free questions.

Keys carry the resume version, so importing a resume invalidates every entry at once;
entries expire after QUERY_CACHE_TTL_S. With Redis down the cache is skipped: every
question is answered afresh.
"""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis

from storage.faults import or_fallback


def cache_key(owner_id: int, resume_version: int, source: str, text: str) -> str:
    normalised = " ".join(text.lower().split())
    digest = hashlib.sha256(normalised.encode()).hexdigest()[:32]
    return f"qcache:{owner_id}:{resume_version}:{source}:{digest}"


async def get_cached(redis: Redis, key: str) -> str | None:
    raw = await or_fallback(redis, lambda: redis.get(key), lambda: None, "redis", "cache-skipped")
    if raw is None:
        return None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


async def put_cached(redis: Redis, key: str, value: str, ttl_s: int) -> None:
    if ttl_s > 0:
        await or_fallback(
            redis, lambda: redis.set(key, value, ex=ttl_s), lambda: None, "redis", "cache-skipped"
        )
