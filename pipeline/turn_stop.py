"""When the caller's turn is over: Smart Turn v3 on the sound, then the words so far.

Smart Turn hears whether speech *sounds* finished; on its own it cuts people off in a pause
("Does Jordan have experience with ... Kafka?"). So once it has given its verdict and the
segment's transcript is in (segmented Whisper transcribes each stretch of speech when VAD calls
it over, while Smart Turn runs), the transcript of the whole turn so far is judged by
`pipeline/unfinished.py`:

    sound complete,   words finished    -> the turn ends now
    sound complete,   words unfinished  -> wait up to weight x `max_wait_s` from the end of speech
    sound incomplete, words finished    -> wait `max_wait_s` (Smart Turn alone would wait its 3 s)
    sound incomplete, words unfinished  -> (1 + weight) x `max_wait_s`, at most Smart Turn's 3 s

Any new speech in the wait cancels it (VAD's start), and the turn goes on. The waits count from
when the caller stopped talking, so the time STT took is not added on top.

A turn that would end sooner than `hold_s` after the speech, but that `pipeline/turn_doubt.py`
doubts (Smart Turn's probability, Whisper's confidence, the engine finding no specific answer),
ends only at `hold_s`. So that the doubt costs a whole question little, the answer is computed
*speculatively* meanwhile (Pipecat's `UserTurnSpeculation`: the answerer prepares the answer and
its first audio against a provisional context, with no side effects) from `SPECULATE_LEAD_S`
before the turn's end; the end confirms it and the prepared answer plays at once. Speech in the
wait withdraws it (`EagerEndOfTurnCancelFrame`) and the turn goes on: the fragment is neither
answered nor stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Literal

from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer, EndOfTurnState
from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    MetricsFrame,
    SpeechControlParamsFrame,
    StartFrame,
    STTMetadataFrame,
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.metrics.metrics import MetricsData
from pipecat.processors.frame_processor import FrameProcessorSetup
from pipecat.turns.types import ProcessFrameResult, UserTurnSpeculation
from pipecat.turns.user_stop import BaseUserTurnStopStrategy
from prometheus_client import Counter

from pipeline.turn_doubt import EngineIntent, TurnDoubt, TurnSignals, default_doubt
from pipeline.unfinished import TurnGrammar, Verdict, default_grammar

log = logging.getLogger(__name__)

TURN_WAITS = Counter(
    "resume_agent_turn_waits_total",
    "Ends of speech judged by the words, by outcome",
    ["outcome"],  # answered | waited_answered | waited_resumed | held_answered | held_resumed
)

# How long before a wait's end the answer to the words so far starts being prepared: about what
# the answer and its first audio take, so that the end finds it ready.
SPECULATE_LEAD_S = 0.6


class TextAwareTurnStopStrategy(BaseUserTurnStopStrategy):
    def __init__(
        self,
        *,
        turn_analyzer: BaseTurnAnalyzer,
        max_wait_s: float,
        grammar: TurnGrammar | None = None,
        stt_timeout_s: float = 1.5,
        hold_s: float = 0.0,
        doubt: TurnDoubt | None = None,
        engine_intent: EngineIntent | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._analyzer = turn_analyzer
        self._grammar = grammar or default_grammar()
        self._max_wait_s = max_wait_s
        self._hold_s = hold_s
        self._doubt = doubt or default_doubt()
        self._engine_intent = engine_intent
        self._speculated: str | None = None  # the text an answer is being prepared for
        self._in_turn = False  # words over the agent are judged before (or without) a turn
        self.last_doubt: str | None = None
        self._stt_timeout_s = stt_timeout_s
        self._speaking = False
        self._timer: asyncio.Task[None] | None = None
        self.last_verdict: Verdict | None = None
        self._clear()

    def _clear(self) -> None:
        self._parts: list[str] = []  # this turn's transcripts, one per stretch of speech
        self._acoustic: EndOfTurnState | None = None  # Smart Turn's verdict on the last stretch
        self._probability: float | None = None  # and its probability of a complete turn
        self._logprob: float | None = None  # Whisper's confidence in the last transcript
        self._speech_end = 0.0  # wall time the caller last stopped talking
        # The last stretch's transcript has not come yet. Segmented STT transcribes stretches in
        # order and one with no words (a cough) yields none, so any transcript settles it.
        self._pending = False
        # While waiting: "held" (a doubt) or "waited" (unfinished words); the counters' label prefixes.
        self._waiting: Literal["held", "waited"] | None = None
        self._end_at = 0.0  # when the wait ends (wall time)

    async def setup(self, setup: FrameProcessorSetup) -> None:  # type: ignore[override]
        await super().setup(setup)
        self._analyzer.set_sample_rate(setup.audio_in_sample_rate)

    async def cleanup(self) -> None:
        await super().cleanup()
        await self._cancel_timer()
        await self._analyzer.cleanup()

    async def handle_user_turn_started(self) -> None:
        acoustic, probability, speech_end = self._acoustic, self._probability, self._speech_end
        await self._reset()
        self._in_turn = True
        if not self._speaking:
            # Begun by a transcript (words heard over the agent), after its stretch of speech
            # ended: Smart Turn's verdict on that stretch is this turn's, and its words come next.
            self._acoustic, self._probability, self._speech_end = acoustic, probability, speech_end

    async def handle_user_turn_stopped(self) -> None:
        await self._reset()
        self._in_turn = False
        self._analyzer.clear()

    async def _reset(self) -> None:
        await self._cancel_timer()
        await self._withdraw()
        self._clear()

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        if isinstance(frame, StartFrame):
            await self.broadcast_frame(SpeechControlParamsFrame, turn_params=self._analyzer.params)
        elif isinstance(frame, STTMetadataFrame):
            self._stt_timeout_s = frame.ttfs_p99_latency
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            self._analyzer.update_vad_start_secs(frame.start_secs)
            self._speaking = True
            if self._waiting:
                TURN_WAITS.labels("held_resumed" if self._waiting == "held" else "waited_resumed").inc()
            self._acoustic = None
            self._waiting = None
            await self._cancel_timer()
            await self._withdraw()  # the caller went on: the answer prepared for the fragment goes
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._speaking = False
            self._speech_end = frame.timestamp - frame.stop_secs
            self._pending = True
            state, prediction = await self._analyzer.analyze_end_of_turn()
            await self._push_metrics(prediction)
            self._acoustic = state
            self._probability = _probability(prediction)
            await self._decide()
        elif isinstance(frame, InputAudioRawFrame):
            if self._analyzer.append_audio(frame.audio, self._speaking) == EndOfTurnState.COMPLETE:
                # Smart Turn's own silence timeout: the sound says the turn is over, whatever it said before.
                _, prediction = await self._analyzer.analyze_end_of_turn()
                await self._push_metrics(prediction)
                if self._parts:
                    await self._stop()
        elif isinstance(frame, TranscriptionFrame):
            if frame.text.strip():
                self._parts.append(frame.text.strip())
                self._logprob = _logprob(frame.result)
            self._pending = False
            await self._decide()
        return ProcessFrameResult.CONTINUE

    @property
    def text(self) -> str:
        return " ".join(self._parts)

    async def _decide(self) -> None:
        if self._speaking or self._acoustic is None:
            return
        if self._pending:
            if self._timer is None:
                # A stretch STT finds no words in yields no transcript: wait for one, within bounds.
                self._arm(self._speech_end + self._stt_timeout_s, self._transcript_overdue)
            return
        # New words (or the end of a wait for them): judge again; deadlines are absolute.
        await self._cancel_timer()
        if not self._parts:
            return  # nothing said yet that could be answered
        verdict = self.last_verdict = self._grammar.judge(self.text)
        complete = self._acoustic == EndOfTurnState.COMPLETE
        self.last_doubt = None
        if complete and not verdict.unfinished:
            wait = 0.0
        elif complete:
            wait = verdict.weight * self._max_wait_s
        elif not verdict.unfinished:
            wait = self._max_wait_s
        else:  # both say unfinished: longer, up to Smart Turn's own silence timeout
            smart_turn_s = float(getattr(self._analyzer.params, "stop_secs", 3.0))
            wait = min(smart_turn_s, self._max_wait_s * (1 + verdict.weight))
        held = False
        if wait < self._hold_s and time.time() < self._speech_end + self._hold_s:
            signals = TurnSignals(self.text, self._probability, self._logprob)
            self.last_doubt = self._doubt.reason(signals, self._engine_intent)
            if self.last_doubt is not None:
                wait, held = self._hold_s, True
        end = self._speech_end + wait
        if end <= time.time():
            log.debug("turn of %d words: finished, answered at once", len(self.text.split()))
            TURN_WAITS.labels("answered").inc()
            await self._stop()
            return
        # (No words in the log: they are the caller's.)
        reason = self.last_doubt if held else verdict.reason
        log.debug("turn: %s, sound %s: waiting %.2f s", reason, self._acoustic.name, wait)
        self._waiting = "held" if held else "waited"
        self._end_at = end
        if end - SPECULATE_LEAD_S <= time.time():
            await self._speculate()
        else:
            self._arm(end - SPECULATE_LEAD_S, self._speculate)

    async def _speculate(self) -> None:
        """Prepare the answer to the words so far; the turn's end will confirm it."""
        if self._speaking or not self._waiting:
            return
        if self._speculated != self.text and self._in_turn:
            # (Outside a turn there is nothing to answer yet: Pipecat ignores the inference.)
            await self._withdraw()
            self._speculated = self.text
            await self.trigger_user_turn_inference_triggered(speculation=UserTurnSpeculation(self.text))
        self._arm(self._end_at, self._wait_over)

    async def _withdraw(self) -> None:
        if self._speculated is not None:
            self._speculated = None
            await self.trigger_user_turn_speculation_cancelled()

    async def _transcript_overdue(self) -> None:
        self._pending = False
        await self._decide()

    async def _wait_over(self) -> None:
        TURN_WAITS.labels("held_answered" if self._waiting == "held" else "waited_answered").inc()
        await self._stop()

    async def _stop(self) -> None:
        await self._cancel_timer()
        self._waiting = None
        if self._speculated is not None and self._speculated == self.text:
            # The answer is ready: only the turn's end is left, and it releases that answer.
            self._speculated = None
            await self.trigger_user_turn_finalized(confirms_speculation=True)
            return
        await self._withdraw()
        await self.trigger_user_turn_stopped()

    def _arm(self, deadline: float, then: object) -> None:
        async def fire() -> None:
            try:
                await asyncio.sleep(max(0.0, deadline - time.time()))
            except asyncio.CancelledError:
                return
            self._timer = None
            await then()  # type: ignore[operator]

        self._timer = self.task_manager.create_task(fire(), f"{self}::wait")

    async def _cancel_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and timer is not asyncio.current_task():
            await self.task_manager.cancel_task(timer)

    async def _push_metrics(self, prediction: MetricsData | None) -> None:
        if prediction is not None:
            await self.push_frame(MetricsFrame(data=[prediction]))


def _probability(prediction: MetricsData | None) -> float | None:
    value = getattr(prediction, "probability", None)
    return float(value) if isinstance(value, (int, float)) else None


def _logprob(result: object) -> float | None:
    """Whisper's mean token log-probability, when the STT service put it on the transcript."""
    value = result.get("avg_logprob") if isinstance(result, dict) else None
    return float(value) if isinstance(value, (int, float)) else None
