"""Recording: the caller's audio of each user turn and the agent's audio of each agent turn.

An observer beside the pipeline (never in the audio path) collects
  * the caller's audio from the input transport, from shortly before the speech that started the
    user turn to the turn's end, with the transcripts STT made of it (a cough that never became
    a turn, or a typed question, leaves no recording; whether Pipecat pushes a turn's end before
    or after its transcript does not matter);
  * the agent's audio as each TTS context hands it to the output transport, with the text the
    TTS spoke, until the context stops or is interrupted.
Each recording is written as a WAV by a writer task of its own (encoding and storage in worker
threads), under `transcriptions/{session}/` or `responses/{session}/`, with a `call_audio` row
carrying its text, which links it to its turn (storage/recordings.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import secrets
import time
import uuid
import wave
from dataclasses import dataclass, field

import asyncpg
from pipecat.frames.frames import (
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    InterruptionFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSStoppedFrame,
    TTSTextFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.transports.base_input import BaseInputTransport
from pipecat.transports.base_output import BaseOutputTransport
from prometheus_client import Counter

from storage.audio import AudioStore
from storage.conversations import Role
from storage.recordings import add_recording

log = logging.getLogger(__name__)

RECORDINGS = Counter(
    "resume_agent_recordings_total", "Turn recordings by role and outcome", ["role", "outcome"]
)

PREROLL_S = 0.5  # audio kept from before the VAD noticed speech (its start window, plus margin)
STALE_SPEECH_S = 3.0  # speech that has not become a user turn this long after it stopped is dropped
MAX_TURN_S = 120.0  # longest recording of one turn
_PREFIX: dict[str, str] = {"user": "transcriptions", "assistant": "responses"}


@dataclass
class _Segment:
    rate: int
    channels: int = 1
    pcm: bytearray = field(default_factory=bytearray)
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    def add(self, audio: bytes) -> None:
        if len(self.pcm) < MAX_TURN_S * self.rate * 2 * self.channels:
            self.pcm += audio


def wav_bytes(pcm: bytes, rate: int, channels: int = 1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


class AudioCapture(BaseObserver):
    def __init__(self, session_id: uuid.UUID, store: AudioStore, pool: asyncpg.Pool) -> None:
        super().__init__()
        self._session_id = session_id
        self._store = store
        self._pool = pool
        self._seq = 0
        # Caller side.
        self._caller: _Segment | None = None
        self._start: int | None = None  # offset in the caller buffer where the speech began
        self._in_turn = False
        self._vad_speaking = False
        self._speech_stopped_at = 0.0
        self._heard: list[str] = []  # transcripts of the speech being collected
        self._finished_turn: _Segment | None = None  # a turn that ended before its transcript came
        # Agent side, by TTS context.
        self._agent: dict[str, _Segment] = {}
        self._queue: asyncio.Queue[tuple[Role, str, _Segment] | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    async def on_push_frame(self, data: FramePushed) -> None:
        frame = data.frame
        if isinstance(frame, InputAudioRawFrame):
            if data.first_push and isinstance(data.source, BaseInputTransport):
                self._caller_audio(frame)
        elif isinstance(frame, (TTSAudioRawFrame, TTSTextFrame, TTSStoppedFrame)):
            if isinstance(data.destination, BaseOutputTransport):
                self._agent_frame(frame)
        elif not data.first_push:
            return
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            self._vad_speaking = True
            self._mark_start()
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._vad_speaking = False
            self._speech_stopped_at = time.monotonic()
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._in_turn = True
            self._finished_turn = None  # a turn nothing was heard in is not kept
            self._mark_start()
        elif isinstance(frame, UserStoppedSpeakingFrame):
            self._end_user_turn()
        elif isinstance(frame, TranscriptionFrame) and not isinstance(frame, InterimTranscriptionFrame):
            self._transcript(frame.text.strip())
        elif isinstance(frame, InterruptionFrame):
            for context_id in list(self._agent):
                self._close_agent(context_id)

    # Caller side ------------------------------------------------------------------------------

    def _caller_audio(self, frame: InputAudioRawFrame) -> None:
        seg = self._caller
        if seg is None or seg.rate != frame.sample_rate:
            seg = self._caller = _Segment(frame.sample_rate, frame.num_channels)
            self._start = None
        seg.add(frame.audio)
        if self._in_turn:
            return
        if (
            self._start is not None
            and not self._vad_speaking
            and time.monotonic() - self._speech_stopped_at > STALE_SPEECH_S
        ):
            self._start = None  # speech that never became a turn (a cough, a pause-and-nothing)
            self._heard.clear()
        if self._start is None:
            keep = int(PREROLL_S * seg.rate) * 2 * seg.channels
            if len(seg.pcm) > keep:
                del seg.pcm[: len(seg.pcm) - keep]

    def _mark_start(self) -> None:
        seg = self._caller
        if seg is not None and self._start is None:
            self._start = max(0, len(seg.pcm) - int(PREROLL_S * seg.rate) * 2 * seg.channels)

    def _end_user_turn(self) -> None:
        seg = self._caller
        if self._in_turn and seg is not None:
            turn = _Segment(seg.rate, seg.channels)
            turn.pcm = seg.pcm[self._start or 0 :]
            turn.texts = list(self._heard)
            seg.pcm.clear()
            if turn.texts:
                self._save("user", turn.text, turn)
            else:
                self._finished_turn = turn  # its transcript is still on its way
        self._in_turn = False
        self._start = None
        self._heard.clear()

    def _transcript(self, text: str) -> None:
        if not text:
            return
        turn, self._finished_turn = self._finished_turn, None
        if turn is not None:
            turn.texts.append(text)
            self._save("user", turn.text, turn)
        elif self._in_turn or self._start is not None:
            self._heard.append(text)

    # Agent side -------------------------------------------------------------------------------

    def _agent_frame(self, frame: TTSAudioRawFrame | TTSTextFrame | TTSStoppedFrame) -> None:
        context_id = frame.context_id or "-"
        if isinstance(frame, TTSStoppedFrame):
            self._close_agent(context_id)
            return
        seg = self._agent.get(context_id)
        if seg is None:
            rate = frame.sample_rate if isinstance(frame, TTSAudioRawFrame) else 0
            seg = self._agent[context_id] = _Segment(rate)
        if isinstance(frame, TTSAudioRawFrame):
            seg.rate = seg.rate or frame.sample_rate
            seg.channels = frame.num_channels
            seg.add(frame.audio)
        elif frame.text.strip():
            seg.texts.append(frame.text.strip())

    def _close_agent(self, context_id: str) -> None:
        seg = self._agent.pop(context_id, None)
        if seg is not None and seg.pcm and seg.texts:
            self._save("assistant", " ".join(seg.texts), seg)

    # Writing ----------------------------------------------------------------------------------

    def _save(self, role: Role, text: str, seg: _Segment) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all(), name=f"recording-{self._session_id}")
        self._queue.put_nowait((role, text, seg))

    async def _write_all(self) -> None:
        while (item := await self._queue.get()) is not None:
            role, text, seg = item
            self._seq += 1
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            key = f"{_PREFIX[role]}/{self._session_id}/{stamp}-{self._seq:03d}-{secrets.token_hex(3)}.wav"
            try:
                data = await asyncio.to_thread(wav_bytes, bytes(seg.pcm), seg.rate, seg.channels)
                await self._store.put(key, data)
                seconds = len(seg.pcm) / (2 * seg.channels * seg.rate)
                await add_recording(self._pool, self._session_id, role, text, key, round(seconds, 3))
                RECORDINGS.labels(role, "stored").inc()
            except Exception:  # a lost recording must not end the call
                RECORDINGS.labels(role, "failed").inc()
                log.exception("could not store a %s recording for session %s", role, self._session_id)

    async def close(self, timeout_s: float = 10.0) -> None:
        """Keep what the agent was saying when the call ended, then wait for the writes."""
        for context_id in list(self._agent):
            self._close_agent(context_id)
        if self._writer is None:
            return
        self._queue.put_nowait(None)
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.shield(self._writer)
        except TimeoutError:
            log.warning("recordings of %s not written in %.0f s", self._session_id, timeout_s)
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
