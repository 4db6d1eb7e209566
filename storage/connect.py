"""Open and close the service's storage: Postgres pool, Redis client, embedded servers.

Every Postgres and Redis call has a timeout (POSTGRES_TIMEOUT_S, REDIS_TIMEOUT_S), so a hung
server costs a caller a bounded wait, never a silent call. Redis retries a dropped connection
briefly with jittered backoff (redis-py's own Retry); Postgres writes retry through
`storage/retry.py`. Embedded servers are supervised: one that dies is restarted (storage/supervisor.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import asyncpg
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from config.settings import Settings
from storage.embedded import EmbeddedPostgres, EmbeddedRedis, EmbeddedServer
from storage.faults import breaker
from storage.journal import Journal
from storage.migrate import migrate
from storage.supervisor import Supervisor
from storage.turn_store import TurnStore

log = logging.getLogger(__name__)

PING_TIMEOUT_S = 2.0
# Redis retries: a dropped connection is retried twice within ~0.1 s, then the caller degrades.
# A timeout is not retried: a hung server would cost the caller the timeout three times over.
REDIS_RETRIES = 2


@dataclass
class Storage:
    pool: asyncpg.Pool
    redis: Redis
    database_url: str
    turns: TurnStore  # conversation writes, through the local journal while Postgres is down
    _embedded: list[EmbeddedServer] = field(default_factory=list)
    supervisor: Supervisor | None = None

    async def ping(self) -> dict[str, bool]:
        """Reachability of each backend, for /ready."""
        status = {"postgres": False, "redis": False}
        try:
            async with asyncio.timeout(PING_TIMEOUT_S):
                await self.pool.fetchval("SELECT 1")
            status["postgres"] = True
        except Exception as exc:
            log.warning("postgres not reachable: %s", type(exc).__name__)
        try:
            async with asyncio.timeout(PING_TIMEOUT_S):
                await self.redis.ping()
            status["redis"] = True
        except Exception as exc:
            log.warning("redis not reachable: %s", type(exc).__name__)
        return status

    @property
    def restarting(self) -> set[str]:
        return set(self.supervisor.restarting) if self.supervisor else set()

    async def close(self) -> None:
        if self.supervisor is not None:
            await self.supervisor.stop()
        await self.turns.stop()
        with contextlib.suppress(Exception):  # what Postgres cannot take stays journaled
            await self.turns.replay()
        await self.redis.aclose()
        await self.pool.close()
        for server in reversed(self._embedded):
            await asyncio.to_thread(server.stop)
        self._embedded.clear()


def redis_client(url: str, settings: Settings) -> Redis:
    return Redis.from_url(
        url,
        socket_timeout=settings.redis_timeout_s,
        socket_connect_timeout=settings.redis_timeout_s,
        retry=Retry(
            ExponentialWithJitterBackoff(cap=0.1, base=0.02),
            REDIS_RETRIES,
            supported_errors=(RedisConnectionError,),
        ),
    )


async def create_pool(url: str, settings: Settings, size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        url,
        min_size=1,
        max_size=size,
        command_timeout=settings.postgres_timeout_s,
        timeout=settings.postgres_connect_timeout_s,
    )


async def open_storage(settings: Settings, *, pool_size: int = 10) -> Storage:
    """Connect (starting embedded servers where no URL is set) and apply migrations."""
    embedded: list[EmbeddedServer] = []
    database_url = settings.database_url
    redis_url = settings.redis_url
    try:
        if database_url is None:
            pg = EmbeddedPostgres(settings.data_dir / "pg")
            database_url = await asyncio.to_thread(pg.start)
            embedded.append(pg)
        if redis_url is None:
            rd = EmbeddedRedis(settings.data_dir / "redis")
            redis_url = await asyncio.to_thread(rd.start)
            embedded.append(rd)
        pool = await create_pool(database_url, settings, pool_size)
        await migrate(pool)
        redis = redis_client(redis_url, settings)
    except BaseException:
        for server in reversed(embedded):
            await asyncio.to_thread(server.stop)
        raise

    async def reconnect(name: str) -> None:
        if name == "postgres":
            await pool.expire_connections()  # connections to the dead server are replaced on next use
        breaker(pool if name == "postgres" else redis).reset()  # back: no need to wait out the cool-down

    supervisor = Supervisor(embedded, reconnect) if embedded and settings.supervise_embedded else None
    if supervisor is not None:
        supervisor.start()
    turns = TurnStore(pool, Journal(settings.data_dir / "journal" / "turns.jsonl"))
    turns.start()  # replays what an earlier run journaled, as soon as Postgres answers
    return Storage(
        pool=pool,
        redis=redis,
        database_url=database_url,
        turns=turns,
        _embedded=embedded,
        supervisor=supervisor,
    )
