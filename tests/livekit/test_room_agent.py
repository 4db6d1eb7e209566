"""A visitor in a LiveKit room (the livekit Python SDK as the browser) talks to the agent.

Real LiveKit server, real agent through Pipecat's LiveKitTransport, real models and storage.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from bench.livekit_server import LiveKitServer
from bench.livekit_visitor import Visitor
from pipeline.models import SpeechModels
from signaling.background_server import LiveServer
from tests.voice_fixtures import session_row, speech, wait_for_turns


async def test_visitor_asks_by_voice_and_text(
    livekit_service: LiveServer, livekit_server: tuple[LiveKitServer, int], room_models: SpeechModels
) -> None:
    async with httpx.AsyncClient(base_url=livekit_service.url) as client:
        created = (await client.post("/api/sessions")).json()
    join = created["livekit"]
    visitor = Visitor()
    await visitor.join(livekit_server[0].url, join["token"])
    try:
        await visitor.wait_quiet(after=0.0)  # the greeting
        asked = await visitor.say(speech(room_models, "Which projects used Rust?"))
        await visitor.wait_quiet(after=asked)
        assert visitor.spoke_after(asked)
        session_id = created["session_id"]
        turns = await wait_for_turns(
            livekit_service,
            session_id,
            lambda ts: any(t.role == "assistant" and "jitterbuf" in t.text for t in ts),
        )
        assert any(t.role == "user" and "rust" in t.text.lower() for t in turns)
        assert (await session_row(livekit_service, session_id))["channel"] == "livekit"

        # Text on the data channel: answered in text, same session.
        await visitor.room.local_participant.publish_data(
            json.dumps({"type": "text", "text": "Any certifications?", "mute": True}).encode(), reliable=True
        )
        await wait_for_turns(
            livekit_service,
            session_id,
            lambda ts: any(t.role == "assistant" and "Kubernetes" in t.text for t in ts),
        )
    finally:
        await visitor.leave()
    # The caller left: the agent leaves too and the session ends.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (await session_row(livekit_service, session_id))["ended_at"] is not None:
            break
        await asyncio.sleep(0.3)
    assert (await session_row(livekit_service, session_id))["ended_at"] is not None
