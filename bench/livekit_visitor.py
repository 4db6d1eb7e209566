"""A visitor in a LiveKit room (the livekit Python SDK as the browser), for tests and benchmarks.

It publishes a microphone track fed from PCM it is given (silence otherwise, like an open mic,
10 ms frames paced in real time), records every frame of the agent's audio with its arrival
time (wall clock, so it can be set against the server's own marks on the same machine), and
keeps every data message, with RTVI's server-message unwrapped like tests/caller.py does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import numpy as np
from livekit import rtc

RATE = 48000
CHUNK = 480  # 10 ms, what a browser's microphone hands WebRTC
SPEECH_RMS = 300.0  # int16 RMS above this is agent speech (as tests/caller.py)


class Visitor:
    def __init__(self) -> None:
        self.room = rtc.Room()
        # No queue (frames go straight to the encoder), like a browser's microphone: with the
        # SDK's default 1 s queue, its 10 ms drain timer falls behind on a loaded machine and
        # the visitor's own speech reached the SFU up to ~0.4 s late, which is no part of ours.
        self.source = rtc.AudioSource(RATE, 1, queue_size_ms=0)
        self.heard: list[tuple[float, float]] = []  # (arrival wall time, RMS) of each agent frame
        self.frame_samples: list[int] = []  # samples per received frame (frame sizes, for the report)
        self.messages: list[dict[str, Any]] = []
        self.sent_speech_until = 0.0  # wall time the last queued sample was handed to the SDK
        self._queued: np.ndarray = np.zeros(0, np.int16)
        self._new_message = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def join(self, url: str, token: str) -> None:
        @self.room.on("track_subscribed")
        def _subscribed(track: rtc.Track, *_: object) -> None:
            if track.kind == rtc.TrackKind.KIND_AUDIO:
                self._tasks.append(asyncio.create_task(self._listen(track)))

        @self.room.on("data_received")
        def _data(packet: rtc.DataPacket) -> None:
            with contextlib.suppress(ValueError):
                message = json.loads(packet.data)
                if isinstance(message, dict):
                    message["_t"] = time.time()
                    self.messages.append(message)
                    self._new_message.set()

        await self.room.connect(url, token)
        track = rtc.LocalAudioTrack.create_audio_track("mic", self.source)
        await self.room.local_participant.publish_track(
            track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        )
        self._tasks.append(asyncio.create_task(self._open_mic()))

    async def _listen(self, track: rtc.Track) -> None:
        async for event in rtc.AudioStream(track, sample_rate=RATE, num_channels=1):
            pcm = np.frombuffer(event.frame.data, dtype=np.int16).astype(np.float64)
            self.heard.append((time.time(), float(np.sqrt(np.mean(pcm**2))) if len(pcm) else 0.0))
            self.frame_samples.append(len(pcm))

    async def _open_mic(self) -> None:
        next_at = time.monotonic()
        while True:
            speech = len(self._queued) > 0
            chunk, self._queued = self._queued[:CHUNK], self._queued[CHUNK:]
            if len(chunk) < CHUNK:
                chunk = np.concatenate([chunk, np.zeros(CHUNK - len(chunk), np.int16)])
            if speech:  # as tests/caller.py: the end of the last speech frame handed to the stack
                self.sent_speech_until = time.time() + CHUNK / RATE
            await self.source.capture_frame(rtc.AudioFrame(chunk.tobytes(), RATE, 1, CHUNK))
            next_at += CHUNK / RATE
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def say(self, pcm: np.ndarray) -> float:
        """Speak `pcm` (48 kHz mono int16); returns once it has all gone out, with that wall time."""
        self._queued = pcm.astype(np.int16)
        while len(self._queued):  # noqa: ASYNC110 - the mic task drains it at its own pace
            await asyncio.sleep(0.005)
        await asyncio.sleep(CHUNK / RATE)
        return self.sent_speech_until

    def first_speech_after(self, t0: float) -> float | None:
        return next((at for at, rms in self.heard if at >= t0 and rms > SPEECH_RMS), None)

    def spoke_after(self, t0: float) -> bool:
        return self.first_speech_after(t0) is not None

    def server_messages(self) -> list[dict[str, Any]]:
        """Our own messages (transcripts, latency), unwrapped from RTVI's server-message."""
        return [
            m["data"]
            for m in self.messages
            if m.get("type") == "server-message" and isinstance(m.get("data"), dict)
        ]

    async def wait_for(self, predicate: Any, timeout_s: float = 30.0) -> dict[str, Any]:
        """The first server message (in order) matching `predicate`, waiting up to `timeout_s`."""
        async with asyncio.timeout(timeout_s):
            while True:
                self._new_message.clear()
                found = [m for m in self.server_messages() if predicate(m)]
                if found:
                    return found[0]
                await self._new_message.wait()

    async def wait_quiet(self, after: float, quiet_s: float = 1.2, timeout_s: float = 60.0) -> None:
        """Until the agent has spoken (after `after`) and then been silent for `quiet_s`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            loud = [at for at, rms in self.heard if at >= after and rms > SPEECH_RMS]
            if loud and time.time() - loud[-1] > quiet_s:
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the agent never finished speaking")

    async def leave(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.room.disconnect()
