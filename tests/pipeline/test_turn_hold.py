"""A doubtful end of turn: the answer is prepared at once, its turn ends only after the hold.

Smart Turn's place is taken by an analyzer with a set verdict and probability (as in
test_turn_stop.py); Whisper's confidence comes on the transcript, as `pipeline/stt.py` puts it.
"""

from __future__ import annotations

import asyncio
import time

from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer, BaseTurnParams, EndOfTurnState
from pipecat.clocks.system_clock import SystemClock
from pipecat.frames.frames import TranscriptionFrame, VADUserStartedSpeakingFrame, VADUserStoppedSpeakingFrame
from pipecat.metrics.metrics import MetricsData, TurnMetricsData
from pipecat.processors.frame_processor import FrameProcessorSetup
from pipecat.turns.types import UserTurnSpeculation
from pipecat.turns.user_stop.base_user_turn_stop_strategy import UserTurnStoppedParams
from pipecat.utils.asyncio.task_manager import TaskManager

from pipeline.turn_doubt import TurnDoubt, TurnSignals, default_doubt
from pipeline.turn_stop import TextAwareTurnStopStrategy

HOLD_S = 0.5


class SetVerdict(BaseTurnAnalyzer):
    def __init__(self, probability: float) -> None:
        super().__init__(sample_rate=16000)
        self.probability = probability

    @property
    def speech_triggered(self) -> bool:
        return False

    @property
    def params(self) -> BaseTurnParams:
        return BaseTurnParams()

    def append_audio(self, buffer: bytes, is_speech: bool) -> EndOfTurnState:
        return EndOfTurnState.INCOMPLETE

    async def analyze_end_of_turn(self) -> tuple[EndOfTurnState, MetricsData | None]:
        complete = self.probability > 0.5
        state = EndOfTurnState.COMPLETE if complete else EndOfTurnState.INCOMPLETE
        metrics = TurnMetricsData(
            processor="test", is_complete=complete, probability=self.probability, e2e_processing_time_ms=0
        )
        return state, metrics

    def clear(self) -> None:
        pass


class Events:
    def __init__(self, strategy: TextAwareTurnStopStrategy) -> None:
        self.speculations: list[str] = []
        self.cancelled = 0
        self.stopped: list[UserTurnStoppedParams] = []
        self.inferences = 0
        self.stop = asyncio.Event()

        @strategy.event_handler("on_user_turn_inference_triggered")
        async def _inference(_s: object, speculation: UserTurnSpeculation | None) -> None:
            if speculation is not None:
                self.speculations.append(speculation.text)
            else:
                self.inferences += 1

        @strategy.event_handler("on_user_turn_speculation_cancelled")
        async def _cancelled(_s: object) -> None:
            self.cancelled += 1

        @strategy.event_handler("on_user_turn_stopped")
        async def _stopped(_s: object, params: UserTurnStoppedParams) -> None:
            self.stopped.append(params)
            self.stop.set()


async def _strategy(
    probability: float, engine_intent: str | None = None
) -> tuple[TextAwareTurnStopStrategy, Events]:
    strategy = TextAwareTurnStopStrategy(
        turn_analyzer=SetVerdict(probability),
        max_wait_s=1.5,
        hold_s=HOLD_S,
        engine_intent=(lambda _text: engine_intent),
    )
    await strategy.setup(
        FrameProcessorSetup(
            clock=SystemClock(),
            task_manager=TaskManager(loop=asyncio.get_running_loop()),
            pipeline_worker=None,  # type: ignore[arg-type]
        )
    )
    events = Events(strategy)
    await strategy.handle_user_turn_started()
    return strategy, events


async def _speak(strategy: TextAwareTurnStopStrategy, text: str, logprob: float = -0.1) -> None:
    await strategy.process_frame(VADUserStartedSpeakingFrame(start_secs=0.15))
    stop = VADUserStoppedSpeakingFrame(stop_secs=0.2)
    stop.timestamp = time.time()
    await strategy.process_frame(stop)
    frame = TranscriptionFrame(text, "caller", "now", result={"avg_logprob": logprob}, finalized=True)
    await strategy.process_frame(frame)


async def test_a_confident_finished_question_ends_at_once_without_speculating() -> None:
    strategy, events = await _strategy(0.99, engine_intent="education")
    await _speak(strategy, "Where did Jordan go to university?")
    assert events.stop.is_set() and not events.speculations
    assert not events.stopped[0].confirms_speculation and events.inferences == 1


async def test_a_doubtful_turn_is_answered_speculatively_and_confirmed_after_the_hold() -> None:
    strategy, events = await _strategy(0.7, engine_intent="education")  # Smart Turn: complete, unsure
    await _speak(strategy, "Where did Jordan go?")
    speech_end = time.time() - 0.2  # VAD's stop comes 0.2 s after the speech
    assert events.speculations == ["Where did Jordan go?"] and not events.stop.is_set()
    assert strategy.last_doubt == "smart turn unsure"
    await asyncio.wait_for(events.stop.wait(), timeout=5)
    assert time.time() - speech_end >= HOLD_S - 0.01
    # The turn's end confirms the answer prepared for it: no second inference, nothing withdrawn.
    assert events.stopped[0].confirms_speculation and events.inferences == 0 and events.cancelled == 0


async def test_the_caller_going_on_in_the_hold_withdraws_the_answer_and_the_turn_goes_on() -> None:
    strategy, events = await _strategy(0.99, engine_intent="education")
    # A fragment that reads finished ("... at" heard as a full stop); Whisper unsure of its words.
    await _speak(strategy, "Tell me about the feature store.", logprob=-0.6)
    assert strategy.last_doubt == "stt unsure" and events.speculations
    await strategy.process_frame(VADUserStartedSpeakingFrame(start_secs=0.15))
    assert events.cancelled == 1 and not events.stop.is_set()
    stop = VADUserStoppedSpeakingFrame(stop_secs=0.2)
    stop.timestamp = time.time()
    await strategy.process_frame(stop)
    await strategy.process_frame(TranscriptionFrame("at Northwind?", "caller", "now", finalized=True))
    # One turn, on the whole question, answered as any confident one.
    assert events.stop.is_set() and strategy.text == "Tell me about the feature store. at Northwind?"
    assert not events.stopped[0].confirms_speculation and events.inferences == 1


async def test_words_the_engine_has_no_specific_answer_for_are_held() -> None:
    strategy, events = await _strategy(0.99, engine_intent="clarify")
    await _speak(strategy, "Which programming languages?")
    assert strategy.last_doubt == "no specific answer" and not events.stop.is_set()
    await asyncio.wait_for(events.stop.wait(), timeout=5)
    assert events.stopped[0].confirms_speculation


async def test_a_long_wait_speculates_only_near_its_end() -> None:
    # An unfinished question waits its 1.5 s; its answer is prepared only in the last 0.6 s.
    strategy, events = await _strategy(0.99)
    await _speak(strategy, "Has Jordan worked with")
    await asyncio.sleep(0.2)
    assert not events.speculations
    await asyncio.wait_for(events.stop.wait(), timeout=5)
    assert events.speculations == ["Has Jordan worked with"] and events.stopped[0].confirms_speculation


def test_the_doubt_signals_are_each_enough_and_none_is_needed() -> None:
    doubt: TurnDoubt = default_doubt()
    sure = TurnSignals("Where is Jordan based?", probability=0.99, stt_logprob=-0.1)
    assert doubt.reason(sure, lambda _t: "location") is None
    assert doubt.reason(sure) is None  # no engine: the other signals decide
    assert doubt.reason(TurnSignals("x", probability=0.6, stt_logprob=-0.1)) == "smart turn unsure"
    assert doubt.reason(TurnSignals("x", probability=0.99, stt_logprob=-0.9)) == "stt unsure"
    assert doubt.reason(sure, lambda _t: "refuse") == "no specific answer"
    assert doubt.reason(TurnSignals("x")) is None  # no signals at all (cloud STT, another analyzer)
