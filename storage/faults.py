"""What counts as "a backend is down", and the counter of work done without it.

Callers catch `UNAVAILABLE` around a Postgres or Redis call they can do without (the answer
cache, a rate-limit window, a conversation state) and carry on degraded; docs/faults.md lists
each such place. Anything else (a bad query, a constraint) is a bug and still raises.
"""

from __future__ import annotations

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

DEGRADED = Counter(
    "resume_agent_degraded_total",
    "Operations done without a backend that was down, by backend and what was done instead",
    ["part", "what"],
)


def unavailable(exc: BaseException) -> bool:
    return isinstance(exc, UNAVAILABLE)
