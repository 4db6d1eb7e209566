"""The current resume engine, rebuilt when the stored resume changes.

Other processes (CLI import, other workers) may replace the resume, so the version in
Postgres is re-read at most every `check_every_s`; a local replace reloads at once. With
Postgres down, the engine in memory keeps answering (docs/faults.md).
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from storage.content import load_resume, resume_version, search_content
from storage.faults import or_fallback
from tools.engine import ResumeEngine


class ResumeSource:
    def __init__(
        self,
        pool: asyncpg.Pool,
        owner_id: int,
        engine: ResumeEngine,
        version: int,
        check_every_s: float = 2.0,
    ) -> None:
        self._pool = pool
        self.owner_id = owner_id
        self._engine = engine
        self.version = version
        self._check_every_s = check_every_s
        self._checked_at = time.monotonic()
        self._lock = asyncio.Lock()

    async def engine(self) -> ResumeEngine:
        if time.monotonic() - self._checked_at >= self._check_every_s:
            await or_fallback(self._pool, self._refresh, lambda: None, "postgres", "resume-in-memory")
        return self._engine

    @property
    def cached_engine(self) -> ResumeEngine:
        """The engine as last loaded, without a version check (for sync callers)."""
        return self._engine

    async def search(self, words: list[str], limit: int = 8) -> list[tuple[str, float]]:
        """Full-text hits for `words` over the current resume's items (Postgres, English stemming)."""
        return await search_content(self._pool, self.owner_id, words, limit)

    async def reload(self) -> None:
        self._checked_at = 0.0
        await self._refresh()

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._checked_at < self._check_every_s:
                return
            self._checked_at = time.monotonic()
            version = await resume_version(self._pool, self.owner_id)
            if version == self.version:
                return
            loaded = await load_resume(self._pool, self.owner_id)
            if loaded is not None:
                resume, self.version = loaded
                # Index building is CPU work; keep it off the event loop for large resumes.
                self._engine = await asyncio.to_thread(ResumeEngine, resume)
