"""Versioned plain-SQL migrations, applied at start.

Each `migrations/NNNN_name.sql` runs once, in its own transaction, and is recorded in
`schema_migrations`. An advisory lock serialises concurrent starters (service and CLI at once).
"""

from __future__ import annotations

import logging
from importlib import resources

import asyncpg

from storage.types import Connection

log = logging.getLogger(__name__)

_LOCK_ID = 0x7265_7375_6D65  # "resume": any constant shared by every starter


def available() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every bundled migration, in order."""
    found = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


async def applied_versions(conn: Connection) -> list[int]:
    rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
    return [r["version"] for r in rows]


async def migrate(pool: asyncpg.Pool) -> list[int]:
    """Apply pending migrations; returns the versions applied now (empty when up to date)."""
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_ID)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = set(await applied_versions(conn))
            applied = []
            for version, name, sql in available():
                if version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, name
                    )
                log.info("applied migration %s", name)
                applied.append(version)
            return applied
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_ID)
