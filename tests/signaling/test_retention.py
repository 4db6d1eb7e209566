"""AUDIO_RETENTION_H: old recordings leave the local folder and the owner's API alike."""

from __future__ import annotations

import os
import time
from pathlib import Path

from signaling.context import AppContext
from signaling.retention import sweep_once
from storage.audio import LocalAudioStore
from storage.recordings import add_recording, recordings
from storage.sessions import create_session

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)


async def test_sweep_deletes_old_recordings_and_their_rows(ctx: AppContext, tmp_path: Path) -> None:
    store = LocalAudioStore(tmp_path)
    pool = ctx.storage.pool
    session = await create_session(pool, ctx.owner_id, "web", {"ip": "127.0.0.1"})
    old_key, new_key = f"transcriptions/{session.id}/old.wav", f"responses/{session.id}/new.wav"
    for key in (old_key, new_key):
        await store.put(key, WAV)
        await add_recording(pool, session.id, "user", "a question", key, 1.0)
    await pool.execute(
        "UPDATE call_audio SET created_at = now() - interval '25 hours' WHERE key = $1", old_key
    )
    past = time.time() - 25 * 3600
    os.utime(store.path(old_key), (past, past))

    assert await sweep_once(store, pool, 24 * 3600) == 1
    assert [r.key for r in await recordings(pool, session.id)] == [new_key]
    assert await store.keys("") == [new_key]
