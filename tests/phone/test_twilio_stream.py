"""A phone call as Twilio delivers it: the Media Streams WebSocket protocol with 8 kHz mu-law audio.

The peer is our own implementation of Twilio's documented protocol (Twilio's servers are out of
reach here); the service, pipeline, models and storage are all real.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
import websockets

from pipeline.models import SpeechModels
from signaling.background_server import LiveServer
from tests.phone.conftest import PHONE_SECRET
from tests.phone.twilio_client import TwilioPeer
from tests.voice_fixtures import session_row, speech, wait_for_no_calls, wait_for_turns


def to_8k(pcm48k: np.ndarray) -> np.ndarray:
    usable = pcm48k[: len(pcm48k) - len(pcm48k) % 6]
    return usable.reshape(-1, 6).mean(axis=1).astype(np.int16)


def ws_url(server: LiveServer) -> str:
    return server.url.replace("http://", "ws://") + "/api/phone/twilio/stream"


async def wait_quiet(peer: TwilioPeer, after: float, quiet_s: float = 1.2, timeout_s: float = 40.0) -> None:
    """Wait until the agent spoke after `after` and then stayed silent for `quiet_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        first = peer.speech_after(after)
        if first is not None:
            loud = [at for at, _ in peer.received if at >= first and peer.speech_after(at) == at]
            if loud and time.monotonic() - loud[-1] > quiet_s:
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the agent never finished speaking")


async def _call(server: LiveServer, number: str) -> TwilioPeer:
    peer = TwilioPeer(ws_url(server), {"secret": PHONE_SECRET, "from": number})
    await peer.connect()
    return peer


async def test_wrong_secret_is_refused(phone_service: LiveServer) -> None:
    peer = TwilioPeer(ws_url(phone_service), {"secret": "guess"})
    await peer.connect()
    await asyncio.wait_for(peer.closed.wait(), 15)
    assert peer.received == []


async def test_spoken_question_gets_a_spoken_answer_and_keys_work(
    phone_service: LiveServer, models: SpeechModels
) -> None:
    peer = await _call(phone_service, "+15550142")
    try:
        await wait_quiet(peer, after=0.0)  # the greeting
        asked = await peer.play(to_8k(speech(models, "Which projects used Rust?")))
        await wait_quiet(peer, after=asked)
        assert peer.speech_after(asked) is not None

        session_id = str(next(iter(phone_service.app.state.ctx.calls._calls)))  # the one live call
        turns = await wait_for_turns(
            phone_service,
            session_id,
            lambda ts: any(t.role == "assistant" and "jitterbuf" in t.text for t in ts),
        )
        assert any(t.role == "user" and "rust" in t.text.lower() for t in turns)
        row = await session_row(phone_service, session_id)
        assert row["channel"] == "phone"
        assert '"+15550142"' in str(row["caller"])

        # 0 repeats the last answer; # says goodbye and ends the call.
        before = len([t for t in turns if t.role == "assistant"])
        pressed = time.monotonic()
        await peer.send_dtmf("0")
        await wait_quiet(peer, after=pressed)
        turns = await wait_for_turns(
            phone_service, session_id, lambda ts: len([t for t in ts if t.role == "assistant"]) > before
        )
        assert "jitterbuf" in [t for t in turns if t.role == "assistant"][-1].text
        await peer.send_dtmf("#")
        await asyncio.wait_for(peer.closed.wait(), 30)
        await wait_for_no_calls(phone_service)
        assert (await session_row(phone_service, session_id))["ended_at"] is not None
    finally:
        await peer.hang_up()


async def test_hang_up_ends_the_session(phone_service: LiveServer) -> None:
    peer = await _call(phone_service, "+15550143")
    await asyncio.sleep(2)
    session_id = str(next(iter(phone_service.app.state.ctx.calls._calls)))
    await peer.hang_up()
    await wait_for_no_calls(phone_service)
    assert (await session_row(phone_service, session_id))["ended_at"] is not None


@pytest.mark.parametrize("path", ["/api/phone/nope/stream", "/api/phone/telnyx/stream"])
async def test_unknown_provider_or_missing_secret_closes(phone_service: LiveServer, path: str) -> None:
    url = phone_service.url.replace("http://", "ws://") + path
    with pytest.raises(websockets.exceptions.WebSocketException):
        async with websockets.connect(url) as ws:
            await ws.send('{"event": "connected"}')
            await ws.send('{"event": "start", "start": {}}')
            await asyncio.wait_for(ws.recv(), 10)
