"""A visitor in a LiveKit room (the livekit Python SDK as the browser) talks to the agent.

Real LiveKit server, real agent through Pipecat's LiveKitTransport, real models and storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import httpx
import numpy as np
from livekit import rtc

from pipeline.models import SpeechModels
from signaling.background_server import LiveServer
from tests.livekit.servers import LiveKitServer
from tests.voice_fixtures import session_row, speech, wait_for_turns

RATE = 48000
CHUNK = 480  # 10 ms


class Visitor:
    def __init__(self) -> None:
        self.room = rtc.Room()
        self.source = rtc.AudioSource(RATE, 1)
        self.heard: list[tuple[float, float]] = []  # (arrival, RMS)
        self.messages: list[dict[str, object]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def join(self, url: str, token: str) -> None:
        @self.room.on("track_subscribed")
        def _subscribed(track: rtc.Track, *_: object) -> None:
            if track.kind == rtc.TrackKind.KIND_AUDIO:
                self._tasks.append(asyncio.create_task(self._listen(track)))

        @self.room.on("data_received")
        def _data(packet: rtc.DataPacket) -> None:
            with contextlib.suppress(ValueError):
                self.messages.append(json.loads(packet.data))

        await self.room.connect(url, token)
        track = rtc.LocalAudioTrack.create_audio_track("mic", self.source)
        await self.room.local_participant.publish_track(
            track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        )
        self._tasks.append(asyncio.create_task(self._open_mic()))

    async def _listen(self, track: rtc.Track) -> None:
        async for event in rtc.AudioStream(track, sample_rate=RATE, num_channels=1):
            pcm = np.frombuffer(event.frame.data, dtype=np.int16).astype(np.float64)
            self.heard.append((time.monotonic(), float(np.sqrt(np.mean(pcm**2))) if len(pcm) else 0.0))

    _queued: np.ndarray = np.zeros(0, np.int16)

    async def _open_mic(self) -> None:
        next_at = time.monotonic()
        while True:
            chunk, self._queued = self._queued[:CHUNK], self._queued[CHUNK:]
            if len(chunk) < CHUNK:
                chunk = np.concatenate([chunk, np.zeros(CHUNK - len(chunk), np.int16)])
            await self.source.capture_frame(rtc.AudioFrame(chunk.tobytes(), RATE, 1, CHUNK))
            next_at += 0.01
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def say(self, pcm: np.ndarray) -> float:
        self._queued = pcm
        await asyncio.sleep(len(pcm) / RATE)
        return time.monotonic()

    def spoke_after(self, t0: float) -> bool:
        return any(at >= t0 and rms > 300 for at, rms in self.heard)

    async def wait_quiet(self, after: float, quiet_s: float = 1.2, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            loud = [at for at, rms in self.heard if at >= after and rms > 300]
            if loud and time.monotonic() - loud[-1] > quiet_s:
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the agent never finished speaking")

    async def leave(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.room.disconnect()


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
