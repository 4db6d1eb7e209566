"""kill -9 of the embedded Postgres or Redis during a text session: restarted on the same data,
the session goes on, every turn is kept in order, and /metrics counts the restart."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from config.settings import Settings
from storage.conversations import history
from tests.conftest import running_app
from tests.fault_helpers import TextSession, embedded, kill9, restarts


@pytest.mark.parametrize("part", ["postgres", "redis"])
async def test_killed_server_is_restarted_and_nothing_is_lost(
    part: str, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    async with running_app(make_settings(data_dir=tmp_path)) as (app, client):
        storage = app.state.ctx.storage
        supervisor = storage.supervisor
        text = TextSession(client)
        await text.ask("Where does Jordan work now?")
        await storage.redis.set("kept-across-restart", "yes")
        await storage.redis.save()  # what the periodic snapshot would have written
        restarts_before = restarts(part)

        server = embedded(storage, part)
        old_pid = await kill9(server)
        # Questions while it is down (or coming back) are answered all the same.
        await text.ask("What did they build there?")

        async with asyncio.timeout(30):
            await supervisor.wait_restarts(part, 1)
        assert server.alive() and server.pid() != old_pid
        if part == "postgres" and sys.platform.startswith("linux"):
            # Restarted syncing its files with one syncfs, not file by file (storage/embedded.py).
            assert await storage.pool.fetchval("SHOW recovery_init_sync_method") == "syncfs"
        ready = (await client.get("/ready")).json()
        assert ready["status"] == "ready", ready
        await text.ask("Which languages do they know?")
        async with asyncio.timeout(30):
            await storage.turns.wait_drained()

        assert text.session_id is not None
        turns = await history(storage.pool, uuid.UUID(text.session_id))
        assert [t.text for t in turns if t.role == "user"] == [
            "Where does Jordan work now?",
            "What did they build there?",
            "Which languages do they know?",
        ]
        assert [t.role for t in turns] == ["user", "assistant"] * 3
        assert await storage.redis.get("kept-across-restart") == b"yes"  # same data folder
        assert restarts(part) == restarts_before + 1
        assert (
            f'resume_agent_embedded_restarts_total{{server="{part}"}}' in (await client.get("/metrics")).text
        )
