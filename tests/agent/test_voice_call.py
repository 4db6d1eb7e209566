"""A real WebRTC call (aiortc peer over loopback): speech in, an answer out, all of it stored."""

from __future__ import annotations

import re

from prometheus_client import REGISTRY

from pipeline.models import SpeechModels
from pipeline.stt import LocalWhisper, vocabulary_prompt
from signaling.background_server import LiveServer
from tests.caller import Caller
from tests.voice_fixtures import session_row, speech, to_16k, wait_for_turns, wait_until_quiet


def _squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


async def test_spoken_question_gets_a_spoken_answer_stored_as_it_happens(
    voice_service: LiveServer, models: SpeechModels, caller: Caller
) -> None:
    response = await caller.connect()
    assert response.status_code == 200, response.text
    assert caller.session_id and caller.token
    greeting = await caller.wait_for(lambda m: m.get("type") == "transcript" and m["role"] == "assistant")
    assert "Jordan Reyes" in greeting["text"]
    await wait_until_quiet(caller)  # let the greeting finish
    early = REGISTRY.get_sample_value("resume_agent_stt_speculations_total", {"outcome": "used"}) or 0.0

    spoken_until = await caller.say(speech(models, "Which projects used Rust?"))

    user = await caller.wait_for(lambda m: m.get("type") == "transcript" and m["role"] == "user")
    assert "rust" in user["text"].lower()
    answer = await caller.wait_for(
        lambda m: m.get("type") == "transcript" and m["role"] == "assistant" and m.get("source")
    )
    assert "jitterbuf" in answer["text"].lower()
    latency = await caller.wait_for(lambda m: m.get("type") == "latency")
    assert latency["total_ms"] > 0 and {"stt_ms", "turn_ms", "answer_ms", "tts_ms"} <= latency.keys()
    # The transcript was started during the end-of-speech silence, and used (STT_SPECULATE_AFTER_S).
    assert (
        REGISTRY.get_sample_value("resume_agent_stt_speculations_total", {"outcome": "used"}) or 0
    ) > early

    # Both turns are stored while the call is still up (not at hang-up): the answer as it starts
    # to play, then marked completed with its latency once it has been said.
    turns = await wait_for_turns(
        voice_service,
        caller.session_id,
        lambda ts: any(t.role == "assistant" and "jitterbuf" in t.text for t in ts),
    )
    assert any(t.role == "user" and "rust" in t.text.lower() for t in turns)
    turns = await wait_for_turns(
        voice_service,
        caller.session_id,
        lambda ts: any(
            t.role == "assistant" and "jitterbuf" in t.text and t.status == "completed" for t in ts
        ),
    )
    stored = next(t for t in turns if t.role == "assistant" and "jitterbuf" in t.text)
    assert stored.latency_ms and stored.latency and stored.latency["total_ms"] == stored.latency_ms
    assert (await session_row(voice_service, caller.session_id))["ended_at"] is None

    # The answer was spoken: agent audio came back, and our own STT hears the project's name in it.
    await wait_until_quiet(caller, quiet_s=1.5, after=spoken_until)
    heard = LocalWhisper(
        models.whisper, vocabulary_prompt(voice_service.app.state.ctx.resume.cached_engine.resume)
    )
    transcript = heard.transcribe(to_16k(caller.received.audio(spoken_until)))
    assert "jitterbu" in _squash(transcript), transcript

    await caller.close()
    row = await wait_for_ended(voice_service, caller.session_id)
    assert row["channel"] == "web"


async def wait_for_ended(server: LiveServer, session_id: str) -> dict:  # type: ignore[type-arg]
    import asyncio
    import time

    deadline = time.time() + 30
    while time.time() < deadline:
        row = await session_row(server, session_id)
        if row["ended_at"] is not None:
            return dict(row)
        await asyncio.sleep(0.2)
    raise AssertionError("session never ended")
