"""What counts as "a backend is down", and the counter of work done without it.

Callers catch `UNAVAILABLE` around a Postgres or Redis call they can do without (the answer
cache, a rate-limit window, a conversation state) and carry on degraded; docs/faults.md lists
each such place. Anything else (a bad query, a constraint) is a bug and still raises.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import redis.exceptions
from prometheus_client import Counter

UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused or reset connections, a missing socket file
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # the pool's connection closed under us
    # A pooled connection whose server was killed mid-exchange can be left in a protocol state
    # asyncpg reports this way (seen after kill -9 of the embedded Postgres).
    asyncpg.InternalClientError,
    asyncpg.CannotConnectNowError,  # starting up or in recovery
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,  # BusyLoadingError (restarting, loading its data) is a ConnectionError
)

T = TypeVar("T")

DEGRADED = Counter(
    "resume_agent_degraded_total",
    "Operations done without a backend that was down, by backend and what was done instead",
    ["part", "what"],
)


def unavailable(exc: BaseException) -> bool:
    return isinstance(exc, UNAVAILABLE)


class Breaker:
    """After a backend failed, skip it for COOL_S rather than wait on it again for every call.

    A server that hangs costs each call its full timeout; one that refused a moment ago will
    likely refuse again. While open, callers take their fallback at once; the first call after
    it closes tries the backend again.
    """

    COOL_S = 2.0

    def __init__(self) -> None:
        self._until = 0.0

    @property
    def open(self) -> bool:
        return time.monotonic() < self._until

    def trip(self) -> None:
        self._until = time.monotonic() + self.COOL_S

    def reset(self) -> None:
        self._until = 0.0


# By id: asyncpg pools take no weak references. A reused id can only inherit a cool-down.
_breakers: dict[int, Breaker] = {}


def breaker(client: object) -> Breaker:
    """The breaker of one backend client (a Redis client, a Postgres pool)."""
    found = _breakers.get(id(client))
    if found is None:
        found = _breakers[id(client)] = Breaker()
    return found


async def or_fallback(
    client: object, call: Callable[[], Awaitable[T]], fallback: Callable[[], T], part: str, what: str
) -> T:
    """`call()`, or `fallback()` when the backend is down (or was, less than COOL_S ago)."""
    down = breaker(client)
    if not down.open:
        try:
            return await call()
        except UNAVAILABLE:
            down.trip()
    DEGRADED.labels(part, what).inc()
    return fallback()
