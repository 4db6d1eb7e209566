"""When a call's caller last stopped speaking: the deadline of all the work that answers them.

A burst's callers all stop speaking at once, and each answer is a chain of model jobs (STT,
then Smart Turn, then the first phrase's synthesis). Due "now" when queued, every call's STT
went ahead of any call's turn decision and every turn ahead of any synthesis, so all first
audio came out together at the end (measured, 8 callers: first audio 13.5-17.8 s, p50 near the
max). Due when their own caller stopped speaking, a call's later stages go ahead of other
calls' earlier ones that began later: answers finish in the order the questions ended, and the
median caller waits for half the burst, not all of it.
"""

from __future__ import annotations

import time

# Past this, the work is no longer that answer's (a silence, an idle prompt): due now.
ANSWER_WINDOW_S = 15.0


class AnswerClock:
    def __init__(self) -> None:
        self._speech_end: float | None = None

    def speech_ended(self, stop_secs: float = 0.0) -> None:
        """The caller stopped speaking `stop_secs` ago (VAD's stop delay)."""
        self._speech_end = time.monotonic() - stop_secs

    def due(self) -> float:
        """The deadline (time.monotonic) of the next job of the answer in progress, else now."""
        now = time.monotonic()
        end = self._speech_end
        return end if end is not None and now - end < ANSWER_WINDOW_S else now

    def answered(self) -> None:
        """The answer's first audio is ready: what follows is paced by playout, not this clock."""
        self._speech_end = None
