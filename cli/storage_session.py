"""Open storage for one CLI command and close it again, whatever happens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from config.settings import get_settings
from storage.connect import Storage, open_storage
from storage.content import ensure_owner
from tools.resume_model import load_sample_resume


@asynccontextmanager
async def cli_storage() -> AsyncIterator[tuple[Storage, int]]:
    """Storage plus the owner id (created with the sample resume on a fresh install)."""
    storage = await open_storage(get_settings(), pool_size=2)
    try:
        async with storage.pool.acquire() as conn:
            owner_id, _, _ = await ensure_owner(conn, load_sample_resume())
        yield storage, owner_id
    finally:
        await storage.close()
