"""Migrations on an empty database and on one that is already up to date."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from signaling.context import AppContext
from storage.migrate import applied_versions, available, migrate


async def test_fresh_database_gets_every_migration(ctx: AppContext) -> None:
    name = f"fresh_{uuid.uuid4().hex[:8]}"
    await ctx.storage.pool.execute(f'CREATE DATABASE "{name}"')
    try:
        dsn = _dsn_for(ctx, name)
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        try:
            applied = await migrate(pool)
            assert applied == [v for v, _, _ in available()]
            tables = {
                r["tablename"]
                for r in await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            }
            assert {"owners", "api_keys", "sessions", "conversations", "content", "analytics"} <= tables
            # Applying again is a no-op: versioned and idempotent.
            assert await migrate(pool) == []
            async with pool.acquire() as conn:
                assert await applied_versions(conn) == applied
        finally:
            await pool.close()
    finally:
        await ctx.storage.pool.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


async def test_existing_database_keeps_its_rows(ctx: AppContext) -> None:
    before = await ctx.storage.pool.fetchval("SELECT count(*) FROM owners")
    assert await migrate(ctx.storage.pool) == []
    assert await ctx.storage.pool.fetchval("SELECT count(*) FROM owners") == before


async def test_content_has_search_and_indexes(ctx: AppContext) -> None:
    indexes = {
        r["indexname"]
        for r in await ctx.storage.pool.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'content'")
    }
    assert {"content_search", "content_technologies", "content_dates"} <= indexes
    hits = await ctx.storage.pool.fetch(
        "SELECT id FROM content WHERE search @@ plainto_tsquery('english', 'jitter buffer')"
    )
    assert "proj-rust-jitter" in {r["id"] for r in hits}


def _dsn_for(ctx: AppContext, database: str) -> str:
    """The service's database URL pointed at another database on the same server."""
    parts = urlsplit(ctx.storage.database_url)
    return urlunsplit(parts._replace(path=f"/{database}"))
