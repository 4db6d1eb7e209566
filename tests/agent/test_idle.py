"""A silent caller is prompted once, then told goodbye and hung up on."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from signaling.background_server import live_server
from tests.caller import Caller
from tests.voice_fixtures import session_row, voice_settings, wait_for_no_calls, wait_for_turns


async def test_idle_caller_is_prompted_once_then_the_call_ends(data_dir: Path) -> None:
    settings = voice_settings(data_dir, idle_prompt_s=2.0, idle_hangup_s=5.0)
    with live_server(settings) as server:
        caller = Caller(server.url)
        try:
            assert (await caller.connect()).status_code == 200
            prompt = await caller.wait_for(lambda m: "still there" in m.get("text", ""), timeout_s=60)
            prompted_at = time.time()
            ended = await caller.wait_for(lambda m: m.get("type") == "call-ended", timeout_s=60)
            assert ended["reason"] == "idle"
            assert time.time() - prompted_at >= settings.idle_hangup_s - settings.idle_prompt_s - 0.5
            prompts = [m for m in caller.server_messages() if "still there" in m.get("text", "")]
            assert prompts == [prompt]  # once
            await wait_for_no_calls(server, timeout_s=60)
            assert caller.session_id
            assert (await session_row(server, caller.session_id))["ended_at"] is not None
            turns = await wait_for_turns(server, caller.session_id, lambda ts: len(ts) >= 3)
            assert [t.role for t in turns] == ["assistant"] * 3  # greeting, prompt, goodbye
            assert "goodbye" in turns[-1].text.lower()
            await asyncio.sleep(0.5)
            assert (
                caller.pc.connectionState in ("closed", "failed")
                or caller.received.times[-1] < time.time() - 0.3
            )
        finally:
            await caller.close()
