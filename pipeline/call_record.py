"""What a call leaves for its owner besides its turns: usage, cost, end reason and recordings.

One per call, built with the pipeline: its observers watch the pipeline, its answer hook counts
LLM tokens, and `close()` (at hang-up, after the pipeline has stopped) keeps the last recording,
prices the usage and stores it with the session.
"""

from __future__ import annotations

import logging
import uuid

import asyncpg
from pipecat.observers.base_observer import BaseObserver, FramePushed

from config.settings import Settings
from pipeline.answer_processor import AnswerCallback, AnsweredTurn
from pipeline.audio_capture import AudioCapture
from pipeline.pricing import prices_for
from pipeline.usage import COST, UsageMeter
from storage.audio import AudioStore
from storage.calls import add_usage

log = logging.getLogger(__name__)


class _Both(BaseObserver):
    """The meter and the capture as one observer: Pipecat queues every frame push to each
    observer it has, so one observer instead of two halves that per-frame cost for the call."""

    def __init__(self, *observers: BaseObserver) -> None:
        super().__init__()
        self._observers = observers

    async def on_push_frame(self, data: FramePushed) -> None:
        for observer in self._observers:
            await observer.on_push_frame(data)


class CallRecord:
    def __init__(
        self, settings: Settings, pool: asyncpg.Pool, session_id: uuid.UUID, store: AudioStore | None
    ) -> None:
        self.session_id = session_id
        self._pool = pool
        self._prices = prices_for(settings)
        self.meter = UsageMeter()
        self.capture = (
            AudioCapture(session_id, store, pool) if settings.record_calls and store is not None else None
        )
        self._closed = False

    @property
    def observers(self) -> list[BaseObserver]:
        if self.capture is None:
            return [self.meter]
        return [_Both(self.meter, self.capture)]

    def counting_tokens(self, on_answer: AnswerCallback) -> AnswerCallback:
        """`on_answer`, after adding the answer's LLM tokens to the call's usage."""

        async def counted(turn: AnsweredTurn) -> None:
            self.meter.add_tokens(turn.answer.tokens)
            await on_answer(turn)

        return counted

    @property
    def cost_usd(self) -> float:
        return self._prices.cost(self.meter.usage)

    async def close(self, end_reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        if self.capture is not None:
            await self.capture.close()
        usage, cost = self.meter.usage, self.cost_usd
        try:
            channel = await add_usage(self._pool, self.session_id, usage.as_dict(), cost, end_reason)
            COST.labels(channel or "unknown").inc(cost)
        except Exception:
            log.exception("could not store the usage of session %s", self.session_id)
