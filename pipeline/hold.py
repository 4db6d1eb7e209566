"""Pause the agent's audio the moment the caller starts talking over it, resume if it was nothing.

Whether speech is a real interruption cannot be known in the half second a caller will wait
for the agent to stop: a cough or a "yes" looks like the start of a question. So the agent's
audio is *held* (the transport sends silence, nothing is lost) as soon as Silero VAD hears
speech, and then either
  * the speech goes on long enough to be a question: the turn starts, Pipecat's interruption
    discards the held answer, and the caller is answered; or
  * it stops short: after a grace period the held audio resumes where it paused.

The hold works on any Pipecat output transport: it wraps the transport's `write_audio_frame`,
which the transport's audio task awaits for every 20 ms chunk, so blocking it pauses playback
with at most one chunk in flight.
"""

from __future__ import annotations

import asyncio
import enum
import time

from pipecat.frames.frames import Frame, InterruptionFrame, OutputAudioRawFrame, TTSAudioRawFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.transports.base_output import BaseOutputTransport
from prometheus_client import Counter

HOLDS = Counter(
    "resume_agent_speech_holds_total", "Agent audio paused for caller speech, by outcome", ["outcome"]
)

# A hold never lasts longer than this, whatever else happens.
MAX_HOLD_S = 4.0


class _State(enum.Enum):
    OPEN = "open"
    HELD = "held"
    DROP = "drop"  # an interruption is on its way: what is still queued is discarded, not played


class SpeechHold:
    def __init__(self) -> None:
        self._state = _State.OPEN
        self._opened = asyncio.Event()
        self._opened.set()
        self._held_at = 0.0

    @property
    def held(self) -> bool:
        return self._state is _State.HELD

    def hold(self) -> None:
        if self._state is _State.OPEN:
            self._state = _State.HELD
            self._held_at = time.monotonic()
            self._opened.clear()

    def resume(self) -> None:
        """False alarm: play on from where the agent paused."""
        if self._state is _State.HELD:
            HOLDS.labels("resumed").inc()
            self._open()

    def drop(self) -> None:
        """An interruption: what is queued will be discarded."""
        if self._state is _State.HELD:
            HOLDS.labels("interrupted").inc()
        self._state = _State.DROP
        self._opened.set()

    def new_audio(self) -> None:
        """Audio made after the interruption: play it."""
        if self._state is _State.DROP:
            self._open()

    def _open(self) -> None:
        self._state = _State.OPEN
        self._opened.set()

    async def _admit(self) -> bool:
        """Wait while held; True if the chunk may be played."""
        if self._state is _State.HELD:
            remaining = MAX_HOLD_S - (time.monotonic() - self._held_at)
            try:
                await asyncio.wait_for(self._opened.wait(), timeout=max(0.0, remaining))
            except TimeoutError:
                HOLDS.labels("expired").inc()
                self._open()
        return self._state is not _State.DROP

    def install(self, output: BaseOutputTransport) -> None:
        """Route the transport's audio writes through the hold."""
        write = output.write_audio_frame

        async def held_write(frame: OutputAudioRawFrame) -> bool:
            if not await self._admit():
                return False
            return await write(frame)

        output.write_audio_frame = held_write  # type: ignore[method-assign]


class HoldReleaseProcessor(FrameProcessor):
    """Sits just before the output transport and tells the hold when an interruption passes."""

    def __init__(self, hold: SpeechHold) -> None:
        super().__init__()
        self._hold = hold

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InterruptionFrame):
            self._hold.drop()
        elif isinstance(frame, TTSAudioRawFrame):
            self._hold.new_audio()
        await self.push_frame(frame, direction)
