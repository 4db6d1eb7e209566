"""The caller's side of a call's media: a real RTP stream over UDP, G.711 at 8 kHz (mu-law or A-law).

sipp places the call (its SDP names this socket's port); this peer sends the caller's audio
every 20 ms (silence between utterances, as a phone does), sends keypad presses as RFC 4733
events, and keeps every packet the agent sends, with its arrival time.
"""

from __future__ import annotations

import asyncio
import random
import struct
import time
from collections import deque
from typing import cast

import numpy as np

from tests.sip.g711 import MU_LAW, Codec

RATE = 8000
FRAME = 160  # samples in 20 ms
TELEPHONE_EVENT = 101
# Louder than this (mean |sample| of a 20 ms frame) is the agent speaking, not line noise.
SPEECH_LEVEL = 300
DTMF_EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}


class RtpPeer(asyncio.DatagramProtocol):
    def __init__(self, codec: Codec = MU_LAW) -> None:
        self.codec = codec  # the one the call's SDP offers, so the only one the agent may send
        self.received: list[tuple[float, np.ndarray]] = []  # (monotonic arrival, 20 ms of PCM)
        self.remote: tuple[str, int] | None = None  # learned from the agent's first packet
        self.heard = asyncio.Event()
        self.foreign: set[int] = set()  # payload types the agent sent that are not the codec
        self._transport: asyncio.DatagramTransport | None = None
        self._queue: deque[tuple[int, bytes, bool]] = deque()  # (payload type, payload, marker)
        self._seq = random.randrange(1 << 16)
        self._stamp = random.randrange(1 << 32)
        self._ssrc = random.randrange(1 << 32)
        self._sender: asyncio.Task[None] | None = None
        self.sent_until = 0.0  # when the last queued utterance's last frame went out
        self._drained = asyncio.Event()
        self._drained.set()

    @classmethod
    async def open(cls, port: int, codec: Codec = MU_LAW) -> RtpPeer:
        loop = asyncio.get_running_loop()
        _, peer = await loop.create_datagram_endpoint(lambda: cls(codec), local_addr=("127.0.0.1", port))
        return peer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) < 12:
            return
        if data[1] & 0x7F != self.codec.payload_type:
            self.foreign.add(data[1] & 0x7F)
            return
        csrc = data[0] & 0x0F
        self.received.append((time.monotonic(), self.codec.decode(data[12 + 4 * csrc :])))
        if self.remote is None:
            self.remote = addr
            self._sender = asyncio.get_running_loop().create_task(self._send_loop())
        self.heard.set()

    async def _send_loop(self) -> None:
        audio = self.codec.payload_type
        silence = self.codec.encode(np.zeros(FRAME, dtype=np.int16))
        next_at = time.monotonic()
        while self._transport is not None:
            pt, payload, marker = self._queue.popleft() if self._queue else (audio, silence, False)
            self._send(pt, payload, marker, advance=pt == audio)
            if not self._queue and not self._drained.is_set():
                self.sent_until = time.monotonic()
                self._drained.set()
            next_at += 0.02
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    def _send(self, pt: int, payload: bytes, marker: bool, advance: bool) -> None:
        assert self._transport is not None and self.remote is not None
        header = struct.pack("!BBHII", 0x80, pt | (0x80 if marker else 0), self._seq, self._stamp, self._ssrc)
        self._transport.sendto(header + payload, self.remote)
        self._seq = (self._seq + 1) & 0xFFFF
        if advance:
            self._stamp = (self._stamp + FRAME) & 0xFFFFFFFF

    async def say(self, pcm8k: np.ndarray) -> float:
        """Queue an utterance; returns when its last frame has been sent (monotonic time)."""
        await self.heard.wait()  # the agent's media address is known from its first packet
        padded = np.concatenate([pcm8k, np.zeros(-len(pcm8k) % FRAME, dtype=np.int16)])
        self._drained.clear()
        for i in range(0, len(padded), FRAME):
            self._queue.append((self.codec.payload_type, self.codec.encode(padded[i : i + FRAME]), i == 0))
        await self._drained.wait()
        return self.sent_until

    async def press(self, key: str, frames: int = 5) -> float:
        """A keypad press as RFC 4733 events (the same timestamp, growing duration, three ends)."""
        await self.heard.wait()
        event = DTMF_EVENTS[key]
        self._drained.clear()
        for i in range(frames + 3):
            end = i >= frames
            duration = FRAME * min(i + 1, frames)
            payload = struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
            self._queue.append((TELEPHONE_EVENT, payload, i == 0))
        await self._drained.wait()
        self._stamp = (self._stamp + FRAME * frames) & 0xFFFFFFFF
        return self.sent_until

    def speech_after(self, after: float) -> float | None:
        """When the agent's audio first got loud after `after`."""
        return next((at for at, pcm in self.received if at > after and loud(pcm)), None)

    def audio_after(self, after: float) -> np.ndarray:
        chunks = [pcm for at, pcm in self.received if at > after]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    async def wait_quiet(self, after: float, quiet_s: float = 1.2, timeout_s: float = 60.0) -> float:
        """Wait until the agent spoke after `after` and then was silent for `quiet_s`; returns
        when its speech ended."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            loud_at = [at for at, pcm in self.received if at > after and loud(pcm)]
            if loud_at and time.monotonic() - loud_at[-1] > quiet_s:
                return loud_at[-1]
            await asyncio.sleep(0.1)
        raise AssertionError("the agent never finished speaking")

    def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
        if self._transport is not None:
            self._transport.close()
            self._transport = None


def loud(pcm: np.ndarray) -> bool:
    return float(np.abs(pcm.astype(np.int32)).mean()) > SPEECH_LEVEL


def to_8k(pcm48k: np.ndarray) -> np.ndarray:
    usable = pcm48k[: len(pcm48k) - len(pcm48k) % 6]
    return usable.reshape(-1, 6).mean(axis=1).astype(np.int16)


def to_16k(pcm8k: np.ndarray) -> bytes:
    """For Whisper: linear interpolation to 16 kHz."""
    n = len(pcm8k) * 2
    return np.interp(np.arange(n) / 2, np.arange(len(pcm8k)), pcm8k).astype(np.int16).tobytes()
