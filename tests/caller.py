"""A scripted WebRTC caller (aiortc): the tests' and benchmarks' stand-in for a browser.

It posts an SDP offer to /api/offer, sends microphone audio from PCM it is given (silence
otherwise, like a real open mic), opens the data channel (with Pipecat's "ping" keep-alive),
and records every agent audio frame with its arrival time, plus every data-channel message.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import fractions
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.codecs.opus import OpusEncoder
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, Packet

from agent import webrtc_tuning

RATE = 48000
FRAME_SAMPLES = 960  # 20 ms at 48 kHz, what Opus carries
SPEECH_RMS = 300.0  # int16 RMS above this is agent speech (the agent's silence decodes to ~0)


async def poll(predicate: Callable[[], bool], timeout_s: float, what: str, interval_s: float = 0.02) -> None:
    """Wait until `predicate()` holds; the things it watches (media, peers) fire no events we can await."""
    deadline = time.monotonic() + timeout_s
    while not predicate():  # noqa: ASYNC110 - polling state owned by aiortc/other threads
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(interval_s)


@dataclass(frozen=True)
class EncodedSpeech:
    """A clip already Opus-encoded, one 20 ms packet each (`MicTrack.encode`)."""

    packets: list[bytes]


def _opus_packets(pcm48k: np.ndarray) -> list[bytes]:
    """PCM at 48 kHz as 20 ms Opus packets, encoded with one encoder (its state carries over)."""
    encoder = OpusEncoder()
    pad = (-len(pcm48k)) % FRAME_SAMPLES
    # A frame of silence after the clip flushes what the encoder still holds back.
    pcm = np.concatenate([pcm48k.astype(np.int16), np.zeros(pad + FRAME_SAMPLES, dtype=np.int16)])
    packets: list[bytes] = []
    for i in range(0, len(pcm), FRAME_SAMPLES):
        frame = AudioFrame.from_ndarray(pcm[None, i : i + FRAME_SAMPLES], format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = i
        frame.time_base = fractions.Fraction(1, RATE)
        packets += encoder.encode(frame)[0]
    return packets[: len(pcm) // FRAME_SAMPLES - 1] if len(packets) >= len(pcm) // FRAME_SAMPLES else packets


_SILENCE: bytes | None = None


def _silence_packet() -> bytes:
    global _SILENCE
    if _SILENCE is None:
        _SILENCE = _opus_packets(np.zeros(FRAME_SAMPLES * 3, dtype=np.int16))[-1]
    return _SILENCE


class MicTrack(MediaStreamTrack):
    """Microphone: queued speech in real time, silence when nothing is queued.

    It hands aiortc packets already encoded (speech when queued, else one fixed silent
    packet), so a caller costs no Opus encoding while a call runs: a benchmark's callers share
    the server's cores, and a caller that encodes 50 frames a second each starves the server it
    measures. (`encode` ahead of time makes `say` cost nothing at the instant it speaks.)
    """

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._queue: deque[bytes] = deque()
        self._start: float | None = None
        self._pts = 0
        self.sent_speech_until = 0.0  # wall time the last queued sample went out
        self.sent_speech_from = 0.0  # wall time the first sample of the current clip went out
        self._clip_started = False

    @staticmethod
    def encode(pcm48k: np.ndarray) -> EncodedSpeech:
        return EncodedSpeech(_opus_packets(pcm48k))

    def queue(self, speech: np.ndarray | EncodedSpeech) -> None:
        encoded = speech if isinstance(speech, EncodedSpeech) else self.encode(speech)
        self._clip_started = False
        self._queue.extend(encoded.packets)

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    @property
    def queued_s(self) -> float:
        """Seconds of queued audio not yet sent (to act at a chosen point of a question)."""
        return len(self._queue) * FRAME_SAMPLES / RATE  # (one 20 ms packet each)

    async def recv(self) -> Packet:  # type: ignore[override]
        if self._start is None:
            self._start = time.time()
        wait = self._start + self._pts / RATE - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if self._queue:
            payload = self._queue.popleft()
            now = time.time()
            if not self._clip_started:
                self._clip_started = True
                self.sent_speech_from = now
            self.sent_speech_until = now + FRAME_SAMPLES / RATE
        else:
            payload = _silence_packet()
        packet = Packet(payload)
        packet.pts = self._pts
        packet.time_base = fractions.Fraction(1, RATE)
        self._pts += FRAME_SAMPLES
        return packet


@dataclass
class Received:
    times: list[float] = field(default_factory=list)  # arrival wall time of each frame
    pts: list[float] = field(default_factory=list)  # the sender's timestamp of each frame, seconds
    rms: list[float] = field(default_factory=list)
    chunks: list[np.ndarray] = field(default_factory=list)  # mono int16 at 48 kHz
    # Arrival times of the frames louder than SPEECH_RMS: callers poll these many times a
    # second, and a scan of every frame since the call began grows with the call.
    speech_times: list[float] = field(default_factory=list)

    def add(self, at: float, pts: float, pcm: np.ndarray) -> None:
        x = pcm.astype(np.float32)
        rms = float(np.sqrt(np.dot(x, x) / len(x))) if len(x) else 0.0
        self.times.append(at)
        self.pts.append(pts)
        self.rms.append(rms)
        self.chunks.append(pcm)
        if rms > SPEECH_RMS:
            self.speech_times.append(at)

    def speaking_at(self, t0: float, t1: float) -> bool:
        i = bisect.bisect_left(self.speech_times, t0)
        return i < len(self.speech_times) and self.speech_times[i] < t1

    def first_speech_after(self, t0: float) -> float | None:
        i = bisect.bisect_left(self.speech_times, t0)
        return self.speech_times[i] if i < len(self.speech_times) else None

    def last_speech_before(self, t1: float) -> float | None:
        i = bisect.bisect_left(self.speech_times, t1)
        return self.speech_times[i - 1] if i else None

    def audio(self, t0: float = 0.0, t1: float = float("inf")) -> np.ndarray:
        lo, hi = bisect.bisect_left(self.times, t0), bisect.bisect_left(self.times, t1)
        parts = self.chunks[lo:hi]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


class Caller:
    def __init__(self, base_url: str, *, session_id: str | None = None, token: str | None = None) -> None:
        self.base_url = base_url
        self.session_id = session_id
        self.token = token
        self.pc_id: str | None = None
        webrtc_tuning.apply()  # the same per-frame savings for the caller's side
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.mic = MicTrack()
        self.received = Received()
        self.messages: list[dict[str, Any]] = []
        self._new_message = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.channel = self.pc.createDataChannel("messages", ordered=True)
        self.pc.addTrack(self.mic)
        self.pc.on("track", self._on_track)
        self.channel.on("message", self._on_message)
        self.channel.on("open", lambda: self._tasks.append(asyncio.create_task(self._ping())))

    async def connect(self, timeout_s: float = 30.0) -> httpx.Response:
        """Offer, and on success wait for ICE; returns the HTTP response either way."""
        await self.pc.setLocalDescription(await self.pc.createOffer())
        body: dict[str, Any] = {"sdp": self.pc.localDescription.sdp, "type": "offer"}
        headers = {}
        if self.session_id:
            body["session_id"] = self.session_id
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        async with httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s) as http:
            response = await http.post("/api/offer", json=body, headers=headers)
        if response.status_code != 200:
            return response
        answer = response.json()
        # Like a browser's adaptive buffer on loopback (~20-40 ms), not aiortc's fixed 4 packets.
        webrtc_tuning.low_latency_receivers(self.pc)
        self.session_id, self.token, self.pc_id = (
            answer["session_id"],
            answer["session_token"],
            answer["pc_id"],
        )
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        await poll(lambda: self.pc.connectionState == "connected", timeout_s, "the call never connected")
        return response

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._tasks.append(asyncio.create_task(self._record(track)))

    async def _record(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await track.recv()
                assert isinstance(frame, AudioFrame)
                pcm = frame.to_ndarray().reshape(-1)
                if len(frame.layout.channels) == 2:
                    pcm = pcm.reshape(-1, 2).mean(axis=1).astype(np.int16)
                pts = frame.pts * frame.time_base if frame.pts is not None and frame.time_base else 0
                self.received.add(time.time(), float(pts), pcm.astype(np.int16))

    def _on_message(self, raw: Any) -> None:
        with contextlib.suppress(ValueError, TypeError):
            message = json.loads(raw)
            if isinstance(message, dict):
                message["_t"] = time.time()
                self.messages.append(message)
                self._new_message.set()

    async def _ping(self) -> None:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            while self.channel.readyState == "open":
                self.channel.send(f"ping: {time.time()}")
                await asyncio.sleep(1.0)

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

    def send_json(self, message: dict[str, Any]) -> None:
        self.channel.send(json.dumps(message))

    async def wait_quiet(self, after: float = 0.0, quiet_s: float = 1.0, timeout_s: float = 60.0) -> None:
        """Until the agent has spoken (after `after`) and then been silent for `quiet_s`."""
        r = self.received

        def quiet() -> bool:
            now = time.time()
            return r.first_speech_after(after) is not None and not r.speaking_at(now - quiet_s, now)

        await poll(quiet, timeout_s, "the agent never went quiet", interval_s=0.1)

    async def say(self, speech: np.ndarray | EncodedSpeech) -> float:
        """Queue speech (PCM at 48 kHz, or encoded); returns once it has all been sent, with the
        wall time it ended."""
        self.mic.queue(speech)
        await poll(lambda: not self.mic.busy, 3600, "the microphone never drained", interval_s=0.01)
        await asyncio.sleep(FRAME_SAMPLES / RATE)
        return self.mic.sent_speech_until

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.pc.close()
