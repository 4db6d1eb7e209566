"""One call's hand-over between PJSIP's threads and the asyncio loop.

PJSIP's media clock thread calls `received` with every 20 ms of the caller's audio and `take`
for every 20 ms it sends; the asyncio side writes the agent's audio with `write` and reads
the caller's from `items`. Signalling events (connected, ended, keypad digits) cross the same
way, through `loop.call_soon_threadsafe`. Commands to PJSIP (answer, refuse, hang up) go to
the endpoint's own thread, the only one that calls PJSIP.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import Counter

SAMPLE_RATE = 8000
FRAME_BYTES = SAMPLE_RATE * 2 // 50  # 20 ms of 16-bit mono
# Caller audio waiting for a pipeline that has not started (or stalls): older frames are dropped.
MAX_QUEUED_FRAMES = 250
# Agent audio buffered ahead of PJSIP: the transport paces to LEAD_FRAMES, this is only a backstop.
MAX_BUFFERED_BYTES = FRAME_BYTES * 50
# A gap in the agent's audio shorter than this is late audio (the pipeline did not keep up);
# a longer one is the silence between two of its turns.
MAX_LATE_GAP_FRAMES = 50

SIP_FRAMES = Counter("resume_agent_sip_audio_frames_total", "20 ms frames of agent audio sent on SIP calls")
SIP_LATE_FRAMES = Counter(
    "resume_agent_sip_late_frames_total",
    "20 ms slots inside an agent utterance that had no audio ready (late audio on SIP calls)",
)


class Commands(Protocol):
    def answer(self, key: int) -> None: ...
    def refuse(self, key: int, status: int) -> None: ...
    def hang_up(self, key: int) -> None: ...


@dataclass(frozen=True)
class Invite:
    key: int  # PJSIP's call id: unique among live calls
    sip_call_id: str
    caller: str
    source: str  # the INVITE's network source "ip:port"


Item = tuple[str, bytes | str]  # ("audio", pcm) or ("dtmf", digit)


class AudioLink:
    def __init__(self, loop: asyncio.AbstractEventLoop, commands: Commands, invite: Invite) -> None:
        self.loop = loop
        self.invite = invite
        self._commands = commands
        self.items: asyncio.Queue[Item] = asyncio.Queue()
        self.confirmed = asyncio.Event()  # the caller's ACK came: media flows
        self.ended = asyncio.Event()
        self.end_reason = "hang-up"
        self._out = bytearray()
        self._lock = threading.Lock()
        self._empty_run = MAX_LATE_GAP_FRAMES + 1  # slots since audio was last sent

    # --- asyncio side ---
    def answer(self) -> None:
        self._commands.answer(self.invite.key)

    def refuse(self, status: int) -> None:
        self._commands.refuse(self.invite.key, status)

    def hang_up(self) -> None:
        if not self.ended.is_set():
            self._commands.hang_up(self.invite.key)

    def write(self, pcm: bytes) -> None:
        with self._lock:
            self._out += pcm
            if len(self._out) > MAX_BUFFERED_BYTES:
                del self._out[: len(self._out) - MAX_BUFFERED_BYTES]

    def clear(self) -> None:
        with self._lock:
            self._out.clear()
            self._empty_run = MAX_LATE_GAP_FRAMES + 1  # an interruption's silence is not lateness

    @property
    def buffered(self) -> int:
        with self._lock:
            return len(self._out)

    # --- PJSIP side (any of its threads) ---
    def received(self, pcm: bytes) -> None:
        self._post(self._put, ("audio", pcm))

    def take(self) -> bytes | None:
        with self._lock:
            if not self._out:
                self._empty_run += 1
                return None
            chunk = bytes(self._out[:FRAME_BYTES])
            del self._out[:FRAME_BYTES]
            gap, self._empty_run = self._empty_run, 0
        SIP_FRAMES.inc()
        if 0 < gap <= MAX_LATE_GAP_FRAMES:
            SIP_LATE_FRAMES.inc(gap)
        return chunk.ljust(FRAME_BYTES, b"\0")

    def digit(self, digit: str) -> None:
        self._post(self._put, ("dtmf", digit))

    def set_confirmed(self) -> None:
        self._post(self.confirmed.set)

    def set_ended(self, reason: str) -> None:
        def end() -> None:
            if not self.ended.is_set():
                self.end_reason = reason
                self.ended.set()

        self._post(end)

    def _put(self, item: Item) -> None:
        if self.items.qsize() >= MAX_QUEUED_FRAMES:
            with contextlib.suppress(asyncio.QueueEmpty):
                self.items.get_nowait()
        self.items.put_nowait(item)

    def _post(self, fn: Callable[..., None], *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the service is gone
            self.loop.call_soon_threadsafe(fn, *args)
