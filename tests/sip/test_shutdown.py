"""A service stopped (SIGTERM) with a SIP call up hangs it up with a BYE, ends its session and
exits cleanly: PJSIP is torn down with no Call left alive (which would abort the process)."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path

import asyncpg

from signaling.context import AppContext
from tests.sip.agents import Agent, shared_storage
from tests.sip.rtp import RtpPeer
from tests.sip.sipp import free_port, media_keys, run_sipp, scenario


async def test_shutdown_hangs_up_live_calls_and_exits_cleanly(ctx: AppContext, tmp_path: Path) -> None:
    agent = Agent(tmp_path, shared_storage(ctx))
    try:
        await asyncio.to_thread(agent.wait_ready)
        port = free_port() & ~1
        peer = await RtpPeer.open(port)
        number = f"+1555{uuid.uuid4().int % 10**7:07d}"
        sipp = asyncio.create_task(
            run_sipp(
                f"127.0.0.1:{agent.sip_port}",
                tmp_path,
                *media_keys(port),
                *("-key", "caller", number),
                scenario_file=scenario("until_bye.xml", tmp_path),
                timeout_s=90,
            )
        )
        try:
            await asyncio.wait_for(peer.heard.wait(), 60)  # answered, the greeting on its way
            agent.process.send_signal(signal.SIGTERM)
            run = await sipp
            assert run.returncode == 0, run.stdout[-2000:] + run.errors  # the agent's BYE came
        finally:
            peer.close()
        # uvicorn re-raises the SIGTERM after its graceful shutdown; PJSIP's assertion would be SIGABRT.
        assert await asyncio.to_thread(agent.process.wait, 60) in (0, -signal.SIGTERM)
    finally:
        agent.stop()
    conn = await asyncpg.connect(ctx.storage.database_url)
    try:
        row = await conn.fetchrow(
            "SELECT ended_at, end_reason FROM sessions WHERE caller->>'number' = $1", number
        )
    finally:
        await conn.close()
    assert row is not None and row["ended_at"] is not None
