"""The answerer as a Pipecat processor: it stands where an LLM service would.

It takes the user's finished turn (the `LLMContextFrame` the user aggregator pushes, for voice
and for text alike), asks `Answerer` (engine, or LLM with engine fallback), and emits the answer
as an LLM response, one chunk (pipeline/chunking.py) per `LLMTextFrame`, so TTS starts on the
first one and the assistant aggregator and RTVI observer see an ordinary bot turn.

A turn that starts within the continuation window after a question was taken, and reads as the
rest of it ("Where did Jordan go?" + "to University."), is merged with it: the interruption
that started the turn has already stopped the fragment's answer, the conversation forgets that
answer, the stored user turn is replaced by the whole question (`on_amend`), and the whole is
answered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pipecat.frames.frames import (
    DataFrame,
    EagerEndOfTurnCancelFrame,
    Frame,
    InterruptionFrame,
    LLMConfigureOutputFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from prometheus_client import Counter

from pipeline.answer.answerer import Answer, Answerer, Conversation
from pipeline.chunking import FIRST_WORDS, speech_chunks, split_sentences
from pipeline.continuation import ContinuationWindow
from pipeline.fragments import default_fragments

log = logging.getLogger(__name__)

TURN_MERGES = Counter(
    "resume_agent_turn_merges_total",
    "Turns taken as the rest of the question before them",
    ["kind"],  # joined: its words were added; repeated: a backchannel cut the answer, given again
)


def spoken_form(text: str, max_sentences: int, max_words: int) -> str:
    """The first sentences of an answer, short enough to listen to; the rest is one question away."""
    kept: list[str] = []
    words = 0
    for sentence in split_sentences(text):
        n = len(sentence.split())
        if kept and (len(kept) >= max_sentences or words + n > max_words):
            break
        kept.append(sentence)
        words += n
    return " ".join(kept)


@dataclass(frozen=True)
class AnsweredTurn:
    question: str
    answer: Answer
    text: str  # what the agent says (spoken form) or sends (full text, when muted)
    spoken: bool
    answered_at: float  # time.time() when the answer was ready


AnswerCallback = Callable[[AnsweredTurn], Awaitable[None]]
QuestionCallback = Callable[[str], Awaitable[None]]


@dataclass
class _TurnEnded(DataFrame):
    """Queued behind the frames of the turn that just ended: a speculation is confirmed in order."""


@dataclass
class _Speculation:
    question: str
    before: Conversation  # the conversation it was answered against
    task: asyncio.Task[tuple[Answer, str]]  # the answer and its spoken (or sent) text


@dataclass(frozen=True)
class _Asked:
    question: str
    before: Conversation  # the conversation before it was answered


class AnswerProcessor(FrameProcessor):
    def __init__(
        self,
        answerer: Answerer,
        conversation: Conversation,
        on_question: QuestionCallback,
        on_answer: AnswerCallback,
        *,
        max_sentences: int = 3,
        max_words: int = 60,
        first_words: int = FIRST_WORDS,
        window: ContinuationWindow | None = None,
        on_amend: QuestionCallback | None = None,
        prepare: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self._answerer = answerer
        self.conversation = conversation
        self._on_question = on_question
        self._on_answer = on_answer
        self._max_sentences = max_sentences
        self._max_words = max_words
        self._first_words = first_words
        self._skip_tts = False
        self._window = window or ContinuationWindow(0.0)
        self._on_amend = on_amend or on_question
        self._previous: _Asked | None = None
        self._turn_started_at: float | None = None
        self._prepare = prepare  # TTS: synthesize a phrase ahead of being asked for it
        self._speculation: _Speculation | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            if frame.speculation:
                self._speculate(_last_user_text(frame.context.messages))
            else:
                self._withdraw()
                await self._answer_context(frame)
        elif isinstance(frame, _TurnEnded):
            await self._confirm()
        elif isinstance(frame, (EagerEndOfTurnCancelFrame, InterruptionFrame)):
            self._withdraw()
            await self.push_frame(frame, direction)
        elif isinstance(frame, UserStoppedSpeakingFrame):
            # (A system frame: it overtakes the queue. The marker keeps the speculative context
            # pushed before it, if any, in front of its confirmation.)
            await self.queue_frame(_TurnEnded())
            await self.push_frame(frame, direction)
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._turn_started_at = time.monotonic()
            await self.push_frame(frame, direction)
        elif isinstance(frame, LLMConfigureOutputFrame):
            # RTVI `send-text` with audio_response=false (and our muted text) arrive as this.
            self._skip_tts = frame.skip_tts
        else:
            await self.push_frame(frame, direction)

    async def _answer_context(self, frame: LLMContextFrame) -> None:
        question = _last_user_text(frame.context.messages)
        if not question:
            return
        await self.answer(question)

    def _speculate(self, question: str) -> None:
        self._withdraw()
        if not question:
            return
        before = self.conversation
        task = self.create_task(self._compute(question, before, prepare=True), "speculative-answer")
        self._speculation = _Speculation(question, before, task)

    def _withdraw(self) -> None:
        speculation, self._speculation = self._speculation, None
        if speculation is not None and not speculation.task.done():
            speculation.task.cancel()

    async def _confirm(self) -> None:
        speculation, self._speculation = self._speculation, None
        if speculation is None:
            return  # an ordinary turn: its context frame, ahead of this, was answered
        try:
            answer, text = await speculation.task
        except Exception:
            log.exception("speculative answer failed; answering again")
            await self.answer(speculation.question)
            return
        # (Answered against a conversation that has moved on since: answered again.)
        await self.answer(
            speculation.question, (answer, text) if self.conversation is speculation.before else None
        )

    async def _compute(self, question: str, conversation: Conversation, prepare: bool) -> tuple[Answer, str]:
        answer = await self._answerer.answer(question, conversation)
        skip = self._skip_tts
        text = (
            answer.result.answer
            if skip
            else spoken_form(answer.result.answer, self._max_sentences, self._max_words)
        )
        if prepare and not skip and self._prepare is not None:
            chunks = speech_chunks(text, self._first_words)
            if chunks:
                self._prepare(chunks[0])
        return answer, text

    async def answer(self, question: str, ready: tuple[Answer, str] | None = None) -> None:
        merged = self._merged(question)
        if merged is None:
            self._previous = _Asked(question, self.conversation)
            await self._on_question(question)  # the user's turn is stored and shown before the answer
        else:
            ready = None  # the answer ready was to a fragment of the question
            assert self._previous is not None
            question, self.conversation = merged, self._previous.before
            self._previous = _Asked(question, self.conversation)
            await self._on_amend(question)  # replaces the fragment stored a moment ago
        self._window.open()
        answer, text = ready if ready is not None else await self._compute(question, self.conversation, False)
        self.conversation = answer.conversation
        skip = self._skip_tts
        await self._on_answer(AnsweredTurn(question, answer, text, not skip, time.time()))
        await self.push_frame(_mark(LLMFullResponseStartFrame(), skip))
        for chunk in split_sentences(text) if skip else speech_chunks(text, self._first_words):
            await self.push_frame(_mark(LLMTextFrame(chunk + " "), skip))
        await self.push_frame(_mark(LLMFullResponseEndFrame(), skip))

    def _merged(self, question: str) -> str | None:
        """The whole question if `question` is the rest of the previous one, else None."""
        started, self._turn_started_at = self._turn_started_at, None
        previous = self._previous
        if previous is None or started is None or not self._window.is_open(at=started):
            return None
        fragments = default_fragments()
        if fragments.is_backchannel(question):
            # Only a turn begun while the agent was silent gets here with no words of its own:
            # it cut off the answer before it was heard, so that answer is given again.
            TURN_MERGES.labels("repeated").inc()
            return previous.question
        if fragments.continues(previous.question, question):
            TURN_MERGES.labels("joined").inc()
            return fragments.join(previous.question, question)
        return None


def _mark(frame: Frame, skip_tts: bool) -> Frame:
    if skip_tts:
        frame.skip_tts = True  # type: ignore[attr-defined]
    return frame


def _last_user_text(messages: list) -> str:  # type: ignore[type-arg]
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content.strip()
            if isinstance(content, list):  # multi-part content: keep the text parts
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict)).strip()
    return ""
