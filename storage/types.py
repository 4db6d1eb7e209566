"""What storage functions accept to run SQL on: a pool, a connection, or a pooled connection."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
Executor: TypeAlias = "asyncpg.Pool[asyncpg.Record] | Connection"
