"""A Twilio Media Streams peer, as Twilio's servers speak it: JSON over a WebSocket, 8 kHz mu-law.

It sends `connected`, `start` (with custom parameters) and 20 ms `media` frames in real time,
answers nothing itself, and records every `media` payload the agent sends back (decoded to
16-bit PCM) with its arrival time, plus `mark`/`clear` events.
"""

from __future__ import annotations

import asyncio
import audioop
import base64
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import websockets

RATE = 8000
FRAME = 160  # 20 ms of 8 kHz mu-law, one byte a sample


@dataclass
class TwilioPeer:
    url: str
    parameters: dict[str, str]
    stream_sid: str = field(default_factory=lambda: "MZ" + uuid.uuid4().hex)
    call_sid: str = field(default_factory=lambda: "CA" + uuid.uuid4().hex)
    received: list[tuple[float, bytes]] = field(default_factory=list)  # (arrival, PCM16 bytes)
    events: list[dict[str, Any]] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    _ws: Any = None
    _seq: int = 0
    _reader: asyncio.Task[None] | None = None
    _line: asyncio.Task[None] | None = None
    _playing: bool = False

    async def connect(self) -> None:
        self._ws = await websockets.connect(self.url, max_size=2**22)
        await self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self._send(
            {
                "event": "start",
                "start": {
                    "accountSid": "AC" + uuid.uuid4().hex,
                    "streamSid": self.stream_sid,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": RATE, "channels": 1},
                    "customParameters": self.parameters,
                },
                "streamSid": self.stream_sid,
            }
        )
        self._reader = asyncio.create_task(self._read())
        # A phone line carries audio all the time: silence whenever nothing is being played.
        self._line = asyncio.create_task(self._open_line())

    async def _open_line(self) -> None:
        silence = audioop.lin2ulaw(bytes(FRAME * 2), 2)
        next_at = time.monotonic()
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                if not self._playing:
                    await self._media(silence, 0)
                next_at += 0.02
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def _media(self, chunk: bytes, index: int) -> None:
        payload = base64.b64encode(chunk).decode()
        await self._send(
            {
                "event": "media",
                "streamSid": self.stream_sid,
                "media": {
                    "track": "inbound",
                    "chunk": str(index),
                    "timestamp": str(index * 20),
                    "payload": payload,
                },
            }
        )

    async def _send(self, message: dict[str, Any]) -> None:
        self._seq += 1
        await self._ws.send(json.dumps({"sequenceNumber": str(self._seq), **message}))

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                message = json.loads(raw)
                if message.get("event") == "media":
                    mulaw = base64.b64decode(message["media"]["payload"])
                    self.received.append((time.monotonic(), audioop.ulaw2lin(mulaw, 2)))
                else:
                    self.events.append(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed.set()

    async def play(self, pcm8k: np.ndarray) -> float:
        """Send int16 8 kHz audio in real time (the line's silence pauses meanwhile); returns end time."""
        data = audioop.lin2ulaw(pcm8k.astype(np.int16).tobytes(), 2)
        self._playing = True
        try:
            start = time.monotonic()
            for i, offset in enumerate(range(0, len(data), FRAME)):
                await self._media(data[offset : offset + FRAME], i)
                await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - time.monotonic()))
        finally:
            self._playing = False
        return time.monotonic()

    async def send_dtmf(self, digit: str) -> None:
        await self._send(
            {
                "event": "dtmf",
                "streamSid": self.stream_sid,
                "dtmf": {"track": "inbound_track", "digit": digit},
            }
        )

    def speech_after(self, t0: float, rms: float = 300.0) -> float | None:
        """Arrival time of the first agent audio louder than `rms` after `t0`."""
        for at, pcm in self.received:
            if at >= t0 and np.sqrt(np.mean(np.frombuffer(pcm, np.int16).astype(np.float64) ** 2)) > rms:
                return at
        return None

    def audio(self, t0: float = 0.0) -> np.ndarray:
        parts = [np.frombuffer(pcm, np.int16) for at, pcm in self.received if at >= t0]
        return np.concatenate(parts) if parts else np.zeros(0, np.int16)

    async def hang_up(self) -> None:
        if self._line is not None:
            self._line.cancel()
            await asyncio.gather(self._line, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._send(
                {"event": "stop", "streamSid": self.stream_sid, "stop": {"callSid": self.call_sid}}
            )
            await self._ws.close()
        if self._reader is not None:
            await asyncio.wait_for(self.closed.wait(), 10)
