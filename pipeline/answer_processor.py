"""The answerer as a Pipecat processor: it stands where an LLM service would.

It takes the user's finished turn (the `LLMContextFrame` the user aggregator pushes, for voice
and for text alike), asks `Answerer` (engine, or LLM with engine fallback), and emits the answer
as an LLM response, one chunk (pipeline/chunking.py) per `LLMTextFrame`, so TTS starts on the
first one and the assistant aggregator and RTVI observer see an ordinary bot turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pipecat.frames.frames import (
    Frame,
    LLMConfigureOutputFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from pipeline.answer.answerer import Answer, Answerer, Conversation
from pipeline.chunking import FIRST_WORDS, speech_chunks, split_sentences

log = logging.getLogger(__name__)


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

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            if not frame.speculation:
                await self._answer_context(frame)
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

    async def answer(self, question: str) -> None:
        await self._on_question(question)  # the user's turn is stored and shown before the answer
        answer = await self._answerer.answer(question, self.conversation)
        self.conversation = answer.conversation
        skip = self._skip_tts
        text = (
            answer.result.answer
            if skip
            else spoken_form(answer.result.answer, self._max_sentences, self._max_words)
        )
        await self._on_answer(AnsweredTurn(question, answer, text, not skip, time.time()))
        await self.push_frame(_mark(LLMFullResponseStartFrame(), skip))
        for chunk in split_sentences(text) if skip else speech_chunks(text, self._first_words):
            await self.push_frame(_mark(LLMTextFrame(chunk + " "), skip))
        await self.push_frame(_mark(LLMFullResponseEndFrame(), skip))


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
