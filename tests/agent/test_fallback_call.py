"""A call with Edge TTS and a cloud STT configured, neither reachable from here: the caller
still hears Piper and is understood by the local Whisper (the fallbacks, for real)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from pipeline.models import SpeechModels
from signaling.background_server import live_server
from tests.caller import Caller
from tests.voice_fixtures import speech, voice_settings, wait_for_no_calls, wait_until_quiet


def _metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{"))


async def test_edge_and_cloud_stt_failures_fall_back_within_the_call(
    data_dir: Path, models: SpeechModels
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    settings = voice_settings(
        data_dir,
        tts_provider="edge",
        stt_provider="openai",
        openai_api_key="test-key",
        stt_base_url=f"http://127.0.0.1:{dead}/v1",
    )
    with live_server(settings) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            before = (await http.get("/metrics")).text
        caller = Caller(server.url)
        try:
            assert (await caller.connect()).status_code == 200
            await wait_until_quiet(caller)  # the greeting was heard: Piper spoke it
            asked = await caller.say(speech(models, "Which projects used Rust?"))
            answer = await caller.wait_for(
                lambda m: m.get("type") == "transcript" and m.get("role") == "assistant" and "source" in m
            )
            assert "jitterbuf" in answer["text"]
            await wait_until_quiet(caller, after=asked)  # the answer was heard: Piper again
        finally:
            await caller.close()
            await wait_for_no_calls(server)
        async with httpx.AsyncClient(base_url=server.url) as http:
            after = (await http.get("/metrics")).text
    assert _metric(after, "resume_agent_tts_fallbacks_total") > _metric(
        before, "resume_agent_tts_fallbacks_total"
    )
    assert _metric(after, "resume_agent_stt_fallbacks_total") > _metric(
        before, "resume_agent_stt_fallbacks_total"
    )
