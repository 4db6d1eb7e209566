"""Per-turn voice latency: end of the caller's speech to the agent's first audio frame sent.

An observer sees every frame pushed between processors without being in the pipeline, so it
can time the stages where they happen:

    speech end (VAD stop minus its stop_secs silence window)
      -> vad_stop   VAD declares the speech over
      -> stt        the final transcript arrives (runs in parallel with the turn decision)
      -> turn       Smart Turn (plus the transcript wait) ends the user's turn
      -> answer     the answerer's first sentence
      -> tts        the first synthesized audio
      -> first audio frame handed to the transport (BotStartedSpeaking): total
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    InterruptionFrame,
    LLMTextFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    UserStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import BaseObserver, FramePushed
from prometheus_client import Histogram

_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 2, 3, 5, 10)
VOICE_LATENCY = Histogram(
    "resume_agent_voice_latency_seconds",
    "End of caller speech to first agent audio frame sent",
    buckets=_BUCKETS,
)
VOICE_STAGE = Histogram(
    "resume_agent_voice_stage_seconds",
    "Voice latency by stage (each measured from the previous mark)",
    ["stage"],
    buckets=_BUCKETS,
)


@dataclass
class TurnLatency:
    total_ms: float
    stages: dict[str, float] = field(default_factory=dict)
    # Wall-clock marks (epoch s): a client on the same machine sets them against its own clock
    # to split its figure into the leg in, the server's stages and the leg out.
    at: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        return {"total_ms": self.total_ms, **self.stages}


LatencyCallback = Callable[[TurnLatency], Awaitable[None]]


class LatencyObserver(BaseObserver):
    def __init__(self, on_turn: LatencyCallback) -> None:
        super().__init__()
        self._on_turn = on_turn
        self._marks: dict[str, float] = {}

    async def on_push_frame(self, data: FramePushed) -> None:
        frame = data.frame
        now = time.time()
        marks = self._marks
        if isinstance(frame, VADUserStartedSpeakingFrame):
            marks.clear()  # new speech: whatever was being timed is superseded
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            # Broadcast frames are seen once per hop: the first sighting is the real time.
            # (A pause inside one turn restarts the clock: VAD start cleared the marks.)
            if "vad_stop" not in marks:
                marks["speech_end"] = now - frame.stop_secs
                marks["vad_stop"] = now
        elif "speech_end" not in marks:
            return
        elif isinstance(frame, TranscriptionFrame):
            marks.setdefault("stt", now)
        elif isinstance(frame, UserStoppedSpeakingFrame):
            marks.setdefault("turn", now)
        elif isinstance(frame, LLMTextFrame) and "turn" in marks:
            marks.setdefault("answer", now)
        elif isinstance(frame, TTSAudioRawFrame) and "answer" in marks:
            marks.setdefault("tts", now)
        elif isinstance(frame, BotStartedSpeakingFrame) and "tts" in marks:
            marks["audio_out"] = now
            latency = _measure(marks)
            marks.clear()
            VOICE_LATENCY.observe(latency.total_ms / 1000)
            for stage, ms in latency.stages.items():
                VOICE_STAGE.labels(stage.removesuffix("_ms")).observe(ms / 1000)
            await self._on_turn(latency)
        elif isinstance(frame, InterruptionFrame) and "turn" not in marks:
            marks.clear()


def _measure(m: dict[str, float]) -> TurnLatency:
    def ms(a: str, b: str) -> float:
        return round((m[b] - m[a]) * 1000, 1)

    stages = {
        "vad_stop_ms": ms("speech_end", "vad_stop"),
        "stt_ms": ms("vad_stop", "stt") if "stt" in m else 0.0,
        "turn_ms": ms("vad_stop", "turn"),
        "answer_ms": ms("turn", "answer"),
        "tts_ms": ms("answer", "tts"),
        "transport_ms": ms("tts", "audio_out"),
    }
    at = {k: round(m[k], 4) for k in ("speech_end", "vad_stop", "audio_out")}
    return TurnLatency(total_ms=ms("speech_end", "audio_out"), stages=stages, at=at)
