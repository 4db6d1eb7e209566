"""When the caller's speech starts a turn, and when it interrupts the agent.

Pipecat decides with a list of user-turn start strategies (the first to fire wins). Ours:

1. `BargeInStartStrategy`. While the agent is silent, Silero VAD's speech start begins a turn
   at once (VAD already needs `start_secs` of confident speech, so a click never gets here).
   While the agent is speaking, VAD's speech start only *holds* the agent's audio (see
   `pipeline/hold.py`): the agent goes quiet within a few hundred milliseconds. The turn starts,
   and Pipecat's interruption discards the rest of the answer, only once the caller's speech
   has lasted `min_speech_s` in total; speech that stops short (a cough, "yes", "ok") lets the
   agent resume after `resume_after_s`. A pure duration rule could not do both: a short word
   lasts about as long as the caller will wait for the agent to stop.
2. `TranscriptStartStrategy` (pipeline/transcript_start.py), Pipecat's min-words rule that
   does not count backchannels. While the agent speaks, a transcript of fewer than N words
   that did not start a turn (that "yes", "mm-hm, okay") is discarded, not answered; one of N
   words or more starts a turn even if VAD missed its start (a quiet talker). On its own it
   could not stop the agent in time: with segmented STT, words only exist once the caller has
   stopped talking.
"""

from __future__ import annotations

import logging
import time

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    Frame,
    InputAudioRawFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.turns.types import ProcessFrameResult
from pipecat.turns.user_start import BaseUserTurnStartStrategy

from pipeline.hold import SpeechHold
from pipeline.transcript_start import TranscriptStartStrategy

log = logging.getLogger(__name__)


class BargeInStartStrategy(BaseUserTurnStartStrategy):
    def __init__(
        self,
        *,
        hold: SpeechHold,
        min_speech_s: float,
        resume_after_s: float,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._hold = hold
        self._min_speech_s = min_speech_s
        self._resume_after_s = resume_after_s
        self._bot_speaking = False
        self._reset()

    def _reset(self) -> None:
        self._speech_since: float | None = None  # monotonic onset of the speech now going on
        self._speech_before = 0.0  # speech heard earlier in this hold (a pause splits "Wait, tell me")
        self._resume_at: float | None = None

    async def handle_user_turn_started(self) -> None:
        self._reset()

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        now = time.monotonic()
        if isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
            if self._speech_since is not None:
                log.debug("turn starts: the agent stopped while the caller was talking")
                return await self._start()  # the agent finished while the caller was talking
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            if not self._bot_speaking:
                return await self._start()
            self._hold.hold()
            # VAD reports speech `start_secs` after it began; count from the real onset.
            self._speech_since = now - frame.start_secs
            self._resume_at = None
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            if self._speech_since is not None:
                self._speech_before += max(0.0, now - frame.stop_secs - self._speech_since)
                self._speech_since = None
                self._resume_at = now + self._resume_after_s
        elif isinstance(frame, InputAudioRawFrame):  # every 20 ms: the clock for the checks below
            if self._speech_since is not None:
                if self._speech_before + (now - self._speech_since) >= self._min_speech_s:
                    log.debug("turn starts: speech over the agent lasted %.2f s", self._min_speech_s)
                    return await self._start()
            elif self._resume_at is not None and now >= self._resume_at:
                self._reset()
                self._hold.resume()
        return ProcessFrameResult.CONTINUE

    async def _start(self) -> ProcessFrameResult:
        self._reset()
        # The turn's interruption reaches the output and drops the held audio (HoldReleaseProcessor).
        await self.trigger_user_turn_started()
        return ProcessFrameResult.STOP


def start_strategies(
    hold: SpeechHold,
    *,
    min_speech_s: float,
    resume_after_s: float,
    min_words: int,
) -> list[BaseUserTurnStartStrategy]:
    return [
        BargeInStartStrategy(hold=hold, min_speech_s=min_speech_s, resume_after_s=resume_after_s),
        TranscriptStartStrategy(min_words=min_words),
    ]
