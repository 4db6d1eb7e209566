"""Recordings are kept AUDIO_RETENTION_H and no longer.

On S3 the bucket's lifecycle rule (set at start-up) deletes the objects; here, every so often,
the local folder is swept and the rows of expired recordings are dropped, so the owner's
dashboard never offers audio that is gone.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from storage.audio import LocalAudioStore, S3AudioStore
from storage.recordings import expire_recordings

log = logging.getLogger(__name__)

MAX_PERIOD_S = 3600.0


async def sweep_once(store: LocalAudioStore | S3AudioStore, pool: asyncpg.Pool, retention_s: float) -> int:
    """One pass; returns how many recordings were forgotten."""
    keys = await expire_recordings(pool, retention_s)
    if isinstance(store, LocalAudioStore):
        swept = await store.sweep(retention_s)
        return len(set(keys) | set(swept))
    return len(keys)


async def keep_retention(store: LocalAudioStore | S3AudioStore, pool: asyncpg.Pool, retention_h: int) -> None:
    retention_s = retention_h * 3600.0
    period = min(MAX_PERIOD_S, retention_s / 4)
    while True:
        try:
            gone = await sweep_once(store, pool, retention_s)
            if gone:
                log.info("deleted %d recordings older than %d h", gone, retention_h)
        except Exception:  # a failed sweep is retried at the next period
            log.exception("recording sweep failed")
        await asyncio.sleep(period)
