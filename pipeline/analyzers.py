"""Per-call VAD and end-of-turn analyzers built on the process's shared ONNX sessions.

Pipecat's analyzers load their model in `__init__`; these subclasses take the loaded session
instead, so a new call costs a few small objects, not a model load. Silero VAD runs where
Pipecat runs it (a thread per call, one hop per frame: 13 % of the serving loop's py-spy samples
at a burst of 8; inline was tried, not measured apart, so not kept); Smart Turn predictions
(~0.1 s each) go through the process's inference scheduler instead of a thread per call.

Smart Turn is also *speculative*, like the STT (pipeline/speculation.py): once VAD has heard
`STT_SPECULATE_AFTER_S` of silence, the turn model judges the audio so far, padded with silence
to VAD's stop wait, so its verdict is ready when VAD calls the stretch over instead of ~50-80 ms
after. Offline on the pause set (440 clips with a noise tail), the padded verdict agrees with
the one on the real tail as often as two draws of the same noise agree with each other (95-96 %).
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
import onnxruntime as ort
from pipecat.audio.turn.base_turn_analyzer import EndOfTurnState
from pipecat.audio.turn.smart_turn.base_smart_turn import BaseSmartTurn, SmartTurnParams
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
from pipecat.audio.vad.silero import SileroOnnxModel, SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADAnalyzer, VADParams, VADState
from pipecat.metrics.metrics import MetricsData
from prometheus_client import Counter

from pipeline.answer_clock import AnswerClock
from pipeline.scheduler import InferenceScheduler, get_scheduler
from pipeline.speculation import PauseListener, quiet

TURN_SPECULATIONS = Counter(
    "resume_agent_turn_speculations_total",
    "Smart Turn verdicts started during the end-of-speech silence, by outcome",
    ["outcome"],  # used, dropped (the caller spoke again)
)


Verdict = tuple[EndOfTurnState, MetricsData | None]  # Smart Turn's state and its prediction


class SharedSileroVAD(SileroVADAnalyzer):
    """Silero on the shared session; tells `pause_listener` when speech pauses for `pause_s`
    within an utterance and when it resumes (speculative STT, pipeline/speculation.py)."""

    def __init__(
        self,
        session: ort.InferenceSession,
        *,
        params: VADParams | None = None,
        pause_listener: PauseListener | None = None,
        pause_s: float = 0.0,
    ) -> None:
        VADAnalyzer.__init__(self, sample_rate=None, params=params)
        self._listener = pause_listener
        self._pause_s = pause_s
        self._silent_bytes = 0
        self._told_pause = False
        self._previous = VADState.QUIET
        # The session is shared; the recurrent state SileroOnnxModel keeps is this call's own.
        model = SileroOnnxModel.__new__(SileroOnnxModel)
        model.session = session
        model.sample_rates = [8000, 16000]
        model.reset_states()
        self._model = model
        self._windows_since_reset = 0
        self._low_confidence_windows = 0

    async def analyze_audio(self, buffer: bytes) -> VADState:
        state = await super().analyze_audio(buffer)
        if self._listener is not None:
            self._follow(state, len(buffer))
        self._previous = state
        return state

    def _follow(self, state: VADState, size: int) -> None:
        assert self._listener is not None
        if state == VADState.STOPPING:
            self._silent_bytes = size if self._previous != VADState.STOPPING else self._silent_bytes + size
            if not self._told_pause and self._silent_bytes >= self._pause_s * self.sample_rate * 2:
                self._told_pause = True
                self._listener.on_pause()
        elif self._told_pause:
            self._told_pause = False
            if state == VADState.SPEAKING:  # (QUIET: the utterance ended; the STT takes it)
                self._listener.on_resume()


class SharedSmartTurn(LocalSmartTurnAnalyzerV3):
    def __init__(
        self,
        session: ort.InferenceSession,
        *,
        params: SmartTurnParams | None = None,
        call_id: str | None = None,
        scheduler: InferenceScheduler | None = None,
        clock: AnswerClock | None = None,
        vad_stop_s: float = 0.2,
        speculate_after_s: float = 0.0,
    ) -> None:
        BaseSmartTurn.__init__(self, params=params)
        # The turn decision is on the caller's critical path: due when the caller stopped speaking
        # (pipeline/answer_clock.py), else at once, so it takes the urgent lane.
        self._clock = clock or AnswerClock()
        self._log_data = False
        self._session = session
        self._call_id = call_id
        self._scheduler = scheduler
        # The silence a speculation pads the audio with: the rest of VAD's stop wait.
        self._padding_s = max(0.0, vad_stop_s - speculate_after_s)
        self._early: asyncio.Future[Verdict] | None = None

    @property
    def speculating(self) -> bool:
        return self._early is not None

    # --- PauseListener: VAD runs on each frame before the turn strategies get it, so the
    # buffer holds every frame up to the pause but the one VAD is judging (silence).

    def on_pause(self) -> None:
        scheduler = self._scheduler or get_scheduler()
        # Only while no turn decision is queued in this process: under load it costs nothing.
        if self._early is not None or not self._audio_buffer or scheduler.pending("turn"):
            return
        rate = self.sample_rate or 16000
        silence = np.zeros(int(self._padding_s * rate), np.int16)
        buffer = [*self._audio_buffer, (time.monotonic(), silence)]
        self._early = asyncio.ensure_future(self._predict(buffer))
        self._early.add_done_callback(quiet)

    def on_resume(self) -> None:
        self._drop(count=True)

    def _drop(self, *, count: bool) -> None:
        early, self._early = self._early, None
        if early is not None:
            if count:
                TURN_SPECULATIONS.labels("dropped").inc()
            early.cancel()

    def clear(self) -> None:
        self._drop(count=False)
        super().clear()

    async def cleanup(self) -> None:
        self._drop(count=False)
        await super().cleanup()

    async def analyze_end_of_turn(self) -> tuple[EndOfTurnState, MetricsData | None]:
        early, self._early = self._early, None
        state: EndOfTurnState | None = None
        result: MetricsData | None = None
        if early is not None:
            try:
                state, result = await early
                TURN_SPECULATIONS.labels("used").inc()
            except Exception:  # (a refused or failed job): judged again below
                state = None
        if state is None:
            state, result = await self._predict(self._audio_buffer)
        if state == EndOfTurnState.COMPLETE:
            self._clear(state)
        return state, result

    async def _predict(self, buffer: list[tuple[float, np.ndarray]]) -> Verdict:
        scheduler = self._scheduler or get_scheduler()
        return await scheduler.run_blocking(
            self._process_speech_segment,
            buffer,
            deadline=self._clock.due(),
            call_id=self._call_id,
            kind="turn",
        )
