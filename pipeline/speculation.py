"""Speculative STT: a transcription started while the VAD is still waiting out the silence.

The VAD ends an utterance only after 0.2 s of silence; the transcript of what was said before
that silence does not depend on how the wait ends. So once the caller has been silent for
STT_SPECULATE_AFTER_S, the audio so far is transcribed at once. If the VAD then ends the
utterance and the segment it hands over begins with exactly that audio, the transcript is
already there (or nearly); if the caller speaks again first, the speculation is dropped.
Speculation only starts while no other transcription is running (`SpeechToText.on_pause`), so
under load it costs nothing: it never queues ahead of another call's real work.

bench/speculative_stt.py measures what the cut costs in accuracy and how much time it wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from prometheus_client import Counter

log = logging.getLogger(__name__)

T = TypeVar("T")  # what the transcription returns (the STT's: the text and Whisper's confidence)

SPECULATIONS = Counter(
    "resume_agent_stt_speculations_total",
    "Transcriptions started during the end-of-speech silence, by outcome",
    ["outcome"],  # used, dropped (the caller spoke again), stale (the segment did not match)
)


class PauseListener(Protocol):
    """What the VAD tells about a silence within an utterance (pipeline/analyzers.py)."""

    def on_pause(self) -> None: ...

    def on_resume(self) -> None: ...


class PauseListeners:
    """Tells several listeners (the STT and Smart Turn) of the same pause."""

    def __init__(self, *listeners: PauseListener) -> None:
        self._listeners = listeners

    def on_pause(self) -> None:
        for listener in self._listeners:
            listener.on_pause()

    def on_resume(self) -> None:
        for listener in self._listeners:
            listener.on_resume()


class Speculation(Generic[T]):
    """At most one early transcription of the current utterance."""

    def __init__(self, transcribe: Callable[[bytes], Awaitable[T]]) -> None:
        self._transcribe = transcribe
        self._audio: bytes | None = None
        self._task: asyncio.Task[T] | None = None

    @property
    def pending(self) -> bool:
        return self._task is not None

    def start(self, audio: bytes) -> None:
        """Transcribe `audio` (the utterance so far, padded as the real segment will be)."""
        self.drop(count=False)
        self._audio = audio
        self._task = asyncio.ensure_future(self._transcribe(audio))
        # The work goes on in its thread even when dropped; its result is simply not used.
        self._task.add_done_callback(quiet)

    def drop(self, *, count: bool = True) -> None:
        if self._task is not None:
            if count:
                SPECULATIONS.labels("dropped").inc()
            self._task.cancel()
        self._task, self._audio = None, None

    async def take(self, segment: bytes, padding: int) -> T | None:
        """The early transcript, if `segment` is the speculated audio plus only silence after it.

        `padding` is the silence both were padded with; the real segment also holds the rest of
        the VAD's stop wait, which the VAD judged not speech."""
        task, audio = self._task, self._audio
        self._task, self._audio = None, None
        if task is None or audio is None:
            return None
        spoken = audio[: len(audio) - padding]
        if not segment.startswith(spoken):
            SPECULATIONS.labels("stale").inc()
            task.cancel()
            return None
        try:
            result = await task
        except Exception:  # the real transcription runs instead, and reports its own failure
            log.debug("speculative transcription failed", exc_info=True)
            return None
        SPECULATIONS.labels("used").inc()
        return result


def quiet(future: asyncio.Future[Any]) -> None:
    """A done-callback for work whose failure is handled elsewhere: its exception is retrieved
    (asyncio would log it as never retrieved) and dropped."""
    with contextlib.suppress(asyncio.CancelledError, Exception):
        future.result()
