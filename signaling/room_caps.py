"""MAX_CALLS_PER_IP for LiveKit rooms: how many live visitor rooms one client IP may hold.

In LiveKit mode a browser call is a room served by whichever worker claims its job, so the
in-process `CallCaps` cannot see it; the count lives in Redis instead, shared by every `serve`
process. A room holds its place until LiveKit reports it finished (webhook), or at the latest
until it could no longer be a live call (CALL_MAX_S after it was opened). Check and take happen
in one Lua script, so a burst of requests cannot overshoot.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from signaling.call_caps import CapReached

_TAKE = """
local key, room_key = KEYS[1], KEYS[2]
local now, expires, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local room, ip = ARGV[4], ARGV[5]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) >= limit then return 0 end
redis.call('ZADD', key, expires, room)
redis.call('PEXPIREAT', key, math.floor(expires * 1000))
redis.call('SET', room_key, ip, 'PXAT', math.floor(expires * 1000))
return 1
"""


def _ip_key(ip: str) -> str:
    return f"caps:rooms:{ip}"


def _room_key(room: str) -> str:
    return f"caps:room-ip:{room}"


async def take(redis: Redis, ip: str, room: str, *, limit: int, hold_s: float) -> None:
    """Count `room` against `ip`; raises CapReached when the IP already holds `limit` rooms."""
    now = time.time()
    taken = await redis.eval(  # type: ignore[misc]
        _TAKE, 2, _ip_key(ip), _room_key(room), now, now + hold_s, limit, room, ip
    )
    if not int(taken):
        raise CapReached(limit)


async def release(redis: Redis, room: str) -> None:
    raw = await redis.getdel(_room_key(room))
    if raw is not None:
        ip = raw.decode() if isinstance(raw, bytes) else str(raw)
        await redis.zrem(_ip_key(ip), room)
