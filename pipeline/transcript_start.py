"""Which transcripts heard over the agent start a turn: Pipecat's min-words rule, minus backchannels.

While the agent speaks, a transcript that did not already interrupt (see `BargeInStartStrategy`)
starts a turn only if it has `min_words` words that are not backchannels ("mm-hm", "okay",
"got it", from `data/backchannels.json`). Anything else is dropped, not answered. (Fewer words
right after a question, as its possible rest, were tried: Whisper tiny hears an "mm-hm" as
"And the MHCM", and the backchannel then stopped the answer.) With the agent silent, any words
start a turn, as in Pipecat's `MinWordsUserTurnStartStrategy`, which this replaces.
"""

from __future__ import annotations

import logging

from pipecat.frames.frames import BotStartedSpeakingFrame, BotStoppedSpeakingFrame, Frame, TranscriptionFrame
from pipecat.turns.types import ProcessFrameResult
from pipecat.turns.user_start import BaseUserTurnStartStrategy

from pipeline.fragments import Fragments, default_fragments

log = logging.getLogger(__name__)


class TranscriptStartStrategy(BaseUserTurnStartStrategy):
    def __init__(
        self,
        *,
        min_words: int,
        fragments: Fragments | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._min_words = min_words
        self._fragments = fragments or default_fragments()
        self._bot_speaking = False

    async def handle_user_turn_started(self) -> None:
        self._bot_speaking = False

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        if isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
        elif isinstance(frame, TranscriptionFrame):
            if not frame.text.strip():
                return ProcessFrameResult.CONTINUE
            if not self._bot_speaking:
                await self.trigger_user_turn_started()
                return ProcessFrameResult.STOP
            content = self._fragments.content_words(frame.text)
            log.debug("heard over the agent: %d of %d words", len(content), self._min_words)
            if len(content) >= self._min_words:
                await self.trigger_user_turn_started()
                return ProcessFrameResult.STOP
            await self.trigger_reset_aggregation()
        return ProcessFrameResult.CONTINUE
