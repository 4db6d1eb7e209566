"""Sliding-window rate limiting in Redis (one sorted set of request times per subject)."""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

# Atomic: drop old entries, count, and add this request only if under the limit, so
# rejected requests do not extend a client's lock-out.
_SCRIPT = """
local key, member = KEYS[1], ARGV[4]
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, tostring(tonumber(oldest[2]) + window - now)}
"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after_s: int


class RateLimiter:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(_SCRIPT)

    async def hit(self, subject: str, limit: int, window_s: float) -> Decision:
        now = time.time()
        allowed, remaining, wait = await self._script(
            keys=[f"rl:{subject}"], args=[now, window_s, limit, f"{now}:{uuid.uuid4().hex[:8]}"]
        )
        return Decision(bool(allowed), int(remaining), max(1, math.ceil(float(wait))) if not allowed else 0)
