"""The end-of-turn decision on the words: an unfinished transcript waits, a finished one does not.

The acoustic model is replaced here by an analyzer that gives a set verdict, so the text logic
is what is tested; the call-level test (tests/agent/test_turn_pauses.py) runs the real Smart Turn.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from pipecat.audio.turn.base_turn_analyzer import BaseTurnAnalyzer, BaseTurnParams, EndOfTurnState
from pipecat.clocks.system_clock import SystemClock
from pipecat.frames.frames import (
    TranscriptionFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.metrics.metrics import MetricsData
from pipecat.processors.frame_processor import FrameProcessorSetup
from pipecat.utils.asyncio.task_manager import TaskManager

from pipeline.turn_stop import TextAwareTurnStopStrategy

MAX_WAIT_S = 0.6


class SetVerdict(BaseTurnAnalyzer):
    """Smart Turn's place, with the verdict the test sets."""

    def __init__(self, state: EndOfTurnState) -> None:
        super().__init__(sample_rate=16000)
        self.state = state

    @property
    def speech_triggered(self) -> bool:
        return False

    @property
    def params(self) -> BaseTurnParams:
        return BaseTurnParams()

    def append_audio(self, buffer: bytes, is_speech: bool) -> EndOfTurnState:
        return EndOfTurnState.INCOMPLETE

    async def analyze_end_of_turn(self) -> tuple[EndOfTurnState, MetricsData | None]:
        return self.state, None

    def clear(self) -> None:
        pass


async def _strategy(state: EndOfTurnState) -> tuple[TextAwareTurnStopStrategy, asyncio.Event]:
    strategy = TextAwareTurnStopStrategy(turn_analyzer=SetVerdict(state), max_wait_s=MAX_WAIT_S)
    setup = FrameProcessorSetup(
        clock=SystemClock(),
        task_manager=TaskManager(loop=asyncio.get_running_loop()),
        pipeline_worker=None,  # type: ignore[arg-type]
    )
    await strategy.setup(setup)
    stopped = asyncio.Event()

    @strategy.event_handler("on_user_turn_stopped")
    async def _stopped(_strategy: object, _params: object) -> None:
        stopped.set()

    await strategy.handle_user_turn_started()
    return strategy, stopped


async def _speak(strategy: TextAwareTurnStopStrategy, text: str) -> None:
    await strategy.process_frame(VADUserStartedSpeakingFrame(start_secs=0.15))
    stop = VADUserStoppedSpeakingFrame(stop_secs=0.2)
    stop.timestamp = time.time()
    await strategy.process_frame(stop)
    await strategy.process_frame(TranscriptionFrame(text, "caller", "now", finalized=True))


async def test_a_finished_question_ends_the_turn_at_once() -> None:
    strategy, stopped = await _strategy(EndOfTurnState.COMPLETE)
    await _speak(strategy, "Has Jordan worked with Kafka?")
    assert stopped.is_set()  # synchronously: no timer was involved


@pytest.mark.parametrize(
    "fragment",
    ["Has Jordan worked with", "Tell me about", "Does Jordan have", "What was Jordan's", "Where did Jordan"],
)
async def test_an_unfinished_question_waits_and_the_rest_joins_the_turn(fragment: str) -> None:
    strategy, stopped = await _strategy(EndOfTurnState.COMPLETE)
    await _speak(strategy, fragment)
    assert not stopped.is_set()
    assert strategy.last_verdict is not None and strategy.last_verdict.unfinished
    # The caller goes on within the wait: the same turn continues and ends on the whole question.
    await _speak(strategy, "their work at Cartograph.")
    assert stopped.is_set()
    assert strategy.text == f"{fragment} their work at Cartograph."


async def test_an_unfinished_question_the_caller_never_finishes_is_answered_after_the_wait() -> None:
    strategy, stopped = await _strategy(EndOfTurnState.COMPLETE)
    await _speak(strategy, "Has Jordan worked with")
    await asyncio.wait_for(stopped.wait(), timeout=10)


async def test_speech_that_sounds_unfinished_but_reads_finished_waits_less_than_smart_turn() -> None:
    strategy, stopped = await _strategy(EndOfTurnState.INCOMPLETE)
    await _speak(strategy, "Which projects used Rust?")
    assert not stopped.is_set()
    await asyncio.wait_for(stopped.wait(), timeout=10)


async def test_no_transcript_for_a_stretch_of_noise_does_not_end_the_turn() -> None:
    strategy, stopped = await _strategy(EndOfTurnState.COMPLETE)
    await strategy.process_frame(VADUserStartedSpeakingFrame(start_secs=0.15))
    stop = VADUserStoppedSpeakingFrame(stop_secs=0.2)
    stop.timestamp = time.time()
    await strategy.process_frame(stop)
    await asyncio.sleep(0)
    assert not stopped.is_set()
    # The words of the question come afterwards, with their own end of speech.
    await _speak(strategy, "Where is Jordan based?")
    assert stopped.is_set()


async def test_a_turn_begun_by_its_transcript_after_the_speech_ended_is_decided_on_it() -> None:
    # Words heard over the agent start the turn only once transcribed, after VAD's stop.
    strategy, stopped = await _strategy(EndOfTurnState.COMPLETE)
    await strategy.handle_user_turn_stopped()
    await strategy.process_frame(VADUserStartedSpeakingFrame(start_secs=0.15))
    stop = VADUserStoppedSpeakingFrame(stop_secs=0.2)
    stop.timestamp = time.time()
    await strategy.process_frame(stop)
    await strategy.handle_user_turn_started()  # what the start strategy's trigger leads to
    await strategy.process_frame(TranscriptionFrame("with Kafka.", "caller", "now", finalized=True))
    assert stopped.is_set()
