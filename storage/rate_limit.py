"""Sliding-window rate limiting in Redis (one sorted set of request times per subject).

With Redis down, the same windows are kept in this process instead (docs/faults.md): each
process then limits on its own, so a client spread over N processes gets up to N times the
limit until Redis is back, which beats refusing everyone or letting everyone through.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass

from redis.asyncio import Redis

from storage.faults import or_fallback

log = logging.getLogger(__name__)

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

# Subjects tracked in-process at most; the least recently seen are forgotten first.
LOCAL_SUBJECTS = 10_000


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after_s: int


class LocalWindows:
    """The Lua script's sliding window, in this process's memory."""

    def __init__(self, max_subjects: int = LOCAL_SUBJECTS) -> None:
        self._max = max_subjects
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, subject: str, limit: int, window_s: float, now: float) -> Decision:
        hits = self._hits.setdefault(subject, deque())
        self._hits.move_to_end(subject)
        while hits and hits[0] <= now - window_s:
            hits.popleft()
        if len(hits) < limit:
            hits.append(now)
            while len(self._hits) > self._max:
                self._hits.popitem(last=False)
            return Decision(True, limit - len(hits), 0)
        return Decision(False, 0, max(1, math.ceil(hits[0] + window_s - now)))


class RateLimiter:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(_SCRIPT)
        self.local = LocalWindows()

    async def hit(self, subject: str, limit: int, window_s: float) -> Decision:
        now = time.time()

        async def in_redis() -> Decision:
            allowed, remaining, wait = await self._script(
                keys=[f"rl:{subject}"], args=[now, window_s, limit, f"{now}:{uuid.uuid4().hex[:8]}"]
            )
            retry = max(1, math.ceil(float(wait))) if not allowed else 0
            return Decision(bool(allowed), int(remaining), retry)

        return await or_fallback(
            self._redis,
            in_redis,
            lambda: self.local.hit(subject, limit, window_s, now),
            "redis",
            "local-rate-limit",
        )
