"""Open and close the service's storage: Postgres pool, Redis client, embedded servers."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import asyncpg
from redis.asyncio import Redis

from config.settings import Settings
from storage.embedded import EmbeddedPostgres, EmbeddedRedis
from storage.migrate import migrate

log = logging.getLogger(__name__)


@dataclass
class Storage:
    pool: asyncpg.Pool
    redis: Redis
    database_url: str
    _embedded: list[EmbeddedPostgres | EmbeddedRedis] = field(default_factory=list)

    async def ping(self) -> dict[str, bool]:
        """Reachability of each backend, for /ready."""
        status = {"postgres": False, "redis": False}
        try:
            async with asyncio.timeout(2):
                await self.pool.fetchval("SELECT 1")
            status["postgres"] = True
        except Exception:
            log.warning("postgres not reachable", exc_info=True)
        try:
            async with asyncio.timeout(2):
                await self.redis.ping()
            status["redis"] = True
        except Exception:
            log.warning("redis not reachable", exc_info=True)
        return status

    async def close(self) -> None:
        await self.redis.aclose()
        await self.pool.close()
        for server in reversed(self._embedded):
            await asyncio.to_thread(server.stop)
        self._embedded.clear()


async def open_storage(settings: Settings, *, pool_size: int = 10) -> Storage:
    """Connect (starting embedded servers where no URL is set) and apply migrations."""
    embedded: list[EmbeddedPostgres | EmbeddedRedis] = []
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
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=pool_size)
        await migrate(pool)
        redis = Redis.from_url(redis_url)
    except BaseException:
        for server in reversed(embedded):
            await asyncio.to_thread(server.stop)
        raise
    return Storage(pool=pool, redis=redis, database_url=database_url, _embedded=embedded)
