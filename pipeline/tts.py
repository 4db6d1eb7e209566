"""Text to speech: Piper on the shared voice, or Edge TTS with Piper as its fallback.

The answer processor cuts each answer into growing chunks (pipeline/chunking.py) and Pipecat's
TTS base calls `run_tts` once per chunk, so the first phrase plays while the next is
synthesized. Piper runs on the process's inference scheduler with a deadline: a chunk is due
when the audio already handed to the transport will have finished playing, so a call's first
phrase is due now and its later phrases step aside for other calls' first audio. Fixed phrases
(greeting, prompts, refusals, goodbyes) come from the per-process phrase cache.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import ClassVar

import av
import edge_tts
import numpy as np
from pipecat.frames.frames import ErrorFrame, Frame, InterruptionFrame
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.settings import TTSSettings
from pipecat.services.tts_service import TextAggregationMode, TTSService
from piper import PiperVoice
from prometheus_client import Counter

from pipeline.answer_clock import AnswerClock
from pipeline.phrase_cache import CachedAudio, PhraseCache, get_phrase_cache
from pipeline.scheduler import (
    BACKGROUND_S,
    URGENT_HORIZON_S,
    InferenceScheduler,
    SchedulerFull,
    get_scheduler,
    soon,
)
from pipeline.speculation import quiet

log = logging.getLogger(__name__)

TTS_FALLBACKS = Counter("resume_agent_tts_fallbacks_total", "Edge TTS failures spoken by Piper", ["reason"])

# After an Edge failure, skip it for this long rather than paying its failure on every sentence.
EDGE_RETRY_AFTER_S = 30.0

# Piper's cost on this machine (bench/first_audio.py): a fixed part and a part per word.
PIPER_FIXED_S = 0.025
PIPER_PER_WORD_S = 0.030
# A later chunk is due this long before the audio in front of it runs out.
PLAYOUT_MARGIN_S = 0.15


def synthesize_pcm(voice: PiperVoice, text: str) -> bytes:
    """Blocking: the whole text as 16-bit mono PCM at the voice's rate."""
    return b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(text))


class SynthesisSpeed:
    """Piper's cost per word as measured on this process's own jobs (EWMA), never below the
    quiet-machine figure. Under load a phrase takes several times PIPER_PER_WORD_S a word; a
    later phrase due by the quiet figure started too late and the caller heard a pause before
    it (measured at a burst of 8: pauses of 1-2 s between phrases)."""

    def __init__(self, per_word_s: float = PIPER_PER_WORD_S, alpha: float = 0.3) -> None:
        self.floor = per_word_s
        self.per_word_s = per_word_s
        self.alpha = alpha
        self._lock = threading.Lock()

    def observe(self, words: int, seconds: float) -> None:
        if words <= 0:
            return
        sample = max(self.floor, (seconds - PIPER_FIXED_S) / words)
        with self._lock:
            self.per_word_s = self.alpha * sample + (1 - self.alpha) * self.per_word_s


SPEED = SynthesisSpeed()


def estimated_synthesis_s(text: str) -> float:
    return PIPER_FIXED_S + SPEED.per_word_s * len(text.split())


def timed_synthesis(voice: PiperVoice, text: str) -> bytes:
    """`synthesize_pcm`, teaching SPEED how long it took (on the model thread)."""
    started = time.perf_counter()
    pcm = synthesize_pcm(voice, text)
    SPEED.observe(len(text.split()), time.perf_counter() - started)
    return pcm


class PiperTTS(TTSService):
    # Whether the answer processor should have a speculative answer's first phrase synthesized
    # ahead (prepare()): Piper's synthesis is the one spoken.
    prepares_ahead: ClassVar[bool] = True

    def __init__(
        self,
        voice: PiperVoice,
        *,
        voice_id: str = "piper",
        call_id: str | None = None,
        cache: PhraseCache | None = None,
        scheduler: InferenceScheduler | None = None,
        clock: AnswerClock | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(
            # The answer processor already cuts the answer into sentences and clauses: speak each
            # chunk as it comes rather than re-aggregating (which would wait for a full sentence).
            text_aggregation_mode=TextAggregationMode.TOKEN,
            push_start_frame=True,
            push_stop_frames=True,
            settings=TTSSettings(model=None, voice="piper", language=None),
            **kwargs,  # type: ignore[arg-type]
        )
        self._voice = voice
        self._voice_id = voice_id
        self._call_id = call_id
        self._cache = cache if cache is not None else get_phrase_cache()
        self._scheduler = scheduler
        self._clock = clock or AnswerClock()  # (a fresh clock is due now: a greeting's deadline)
        # When the audio handed over so far ends playing (time.monotonic); 0 when none is queued.
        self._playout_end = 0.0
        # A phrase synthesized ahead (a speculative answer's first chunk, pipeline/answer_processor.py).
        self._prepared: tuple[str, asyncio.Future[bytes]] | None = None

    def can_generate_metrics(self) -> bool:
        return True

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        if isinstance(frame, InterruptionFrame):
            self._playout_end = 0.0  # the queued audio is discarded: the next chunk is due now
        await super().process_frame(frame, direction)

    def deadline_for(self, text: str) -> float:
        """When `text`'s audio is needed: now if nothing is playing, else just before it runs out."""
        now = time.monotonic()
        if self._playout_end <= now + URGENT_HORIZON_S:
            # An answer's first phrase is due when its caller stopped speaking; a greeting now.
            return self._clock.due()
        return max(now, self._playout_end - estimated_synthesis_s(text) - PLAYOUT_MARGIN_S)

    def _played(self, seconds: float) -> None:
        self._playout_end = max(time.monotonic(), self._playout_end) + seconds

    def prepare(self, text: str) -> None:
        """Start synthesizing `text` now, for when it is asked for (only the latest is kept)."""
        if self._cache.get(self._voice_id, text) is not None:
            return
        if self._prepared is not None and not self._prepared[1].done():
            # Replaced: its Piper job, if not started yet, gives back its place in the scheduler.
            self._prepared[1].cancel()
        future = asyncio.ensure_future(self._synthesize(text, time.monotonic()))
        # (A failure is retried when the phrase is asked for.)
        future.add_done_callback(quiet)
        self._prepared = (" ".join(text.split()), future)

    async def _synthesize(self, text: str, deadline: float) -> bytes:
        scheduler = self._scheduler or get_scheduler()
        return await scheduler.run_blocking(
            timed_synthesis, self._voice, text, deadline=deadline, call_id=self._call_id, kind="tts"
        )

    async def _prepared_pcm(self, text: str) -> bytes | None:
        prepared, self._prepared = self._prepared, None
        if prepared is None or prepared[0] != " ".join(text.split()):
            return None
        try:
            return await prepared[1]
        except Exception:
            return None

    async def piper_audio(self, text: str) -> CachedAudio:
        cached = self._cache.get(self._voice_id, text)
        if cached is None:
            pcm = await self._prepared_pcm(text)
            if pcm is None:
                pcm = await self._synthesize(text, self.deadline_for(text))
            cached = CachedAudio(pcm, self._voice.config.sample_rate)
            self._cache.put(self._voice_id, text, cached)
        self._clock.answered()
        self._played(cached.seconds)
        return cached

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        async for frame in self._piper_frames(text, context_id):
            yield frame

    async def _piper_frames(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        try:
            await self.start_tts_usage_metrics(text)
            audio = await self.piper_audio(text)
            async for frame in self._stream_audio_frames_from_iterator(
                _once(audio.pcm), in_sample_rate=audio.sample_rate, context_id=context_id
            ):
                await self.stop_ttfb_metrics()
                yield frame
        except SchedulerFull:
            log.warning("inference queue full: a phrase was not spoken")
            yield ErrorFrame(error="speech synthesis is overloaded")
        except Exception as exc:
            log.exception("piper failed")
            yield ErrorFrame(error=f"piper failed: {exc}")
        finally:
            await self.stop_ttfb_metrics()


async def _once(pcm: bytes) -> AsyncIterator[bytes]:
    yield pcm


class EdgeTTS(PiperTTS):
    """Microsoft Edge's online voices; each sentence Edge cannot speak is spoken by Piper."""

    prepares_ahead = False  # Edge speaks the phrase: a Piper synthesis ahead would be wasted

    def __init__(self, voice: PiperVoice, edge_voice: str, timeout_s: float = 3.0, **kwargs: object) -> None:
        super().__init__(voice, **kwargs)  # type: ignore[arg-type]
        self._edge_voice = edge_voice
        self._timeout_s = timeout_s
        self._edge_down_until = 0.0
        self.fallbacks = 0

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        pcm: bytes | None = None
        edge_id = f"edge:{self._edge_voice}"
        cached = self._cache.get(edge_id, text)
        if cached is not None:
            pcm = cached.pcm
        elif time.monotonic() >= self._edge_down_until:
            try:
                async with asyncio.timeout(self._timeout_s):
                    mp3 = await self._edge_mp3(text)
                scheduler = self._scheduler or get_scheduler()
                pcm = await scheduler.run_blocking(
                    decode_mp3, mp3, self.sample_rate, deadline=soon(), call_id=self._call_id, kind="decode"
                )
                self._cache.put(edge_id, text, CachedAudio(pcm, self.sample_rate))
            except Exception as exc:  # DNS, HTTP, timeout, undecodable audio: all mean "use Piper"
                self._edge_down_until = time.monotonic() + EDGE_RETRY_AFTER_S
                TTS_FALLBACKS.labels(type(exc).__name__).inc()
                log.warning("edge-tts failed (%s); speaking with Piper", type(exc).__name__)
        if pcm is None:
            self.fallbacks += 1
            async for frame in self._piper_frames(text, context_id):
                yield frame
            return

        await self.start_tts_usage_metrics(text)
        async for frame in self._stream_audio_frames_from_iterator(
            _once(pcm), in_sample_rate=self.sample_rate, context_id=context_id
        ):
            await self.stop_ttfb_metrics()
            yield frame

    async def _edge_mp3(self, text: str) -> bytes:
        communicate = edge_tts.Communicate(text, self._edge_voice)
        mp3 = bytearray()
        async for message in communicate.stream():
            if message["type"] == "audio" and "data" in message:
                mp3 += message["data"]
        if not mp3:
            raise RuntimeError("edge-tts returned no audio")
        return bytes(mp3)


def decode_mp3(mp3: bytes, sample_rate: int) -> bytes:
    """MP3 to 16-bit mono PCM at `sample_rate`."""
    out = bytearray()
    with av.open(io.BytesIO(mp3), mode="r", format="mp3") as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
        for frame in container.decode(audio=0):
            for resampled in resampler.resample(frame):
                out += resampled.to_ndarray().astype(np.int16).tobytes()
        for resampled in resampler.resample(None):
            out += resampled.to_ndarray().astype(np.int16).tobytes()
    return bytes(out)


# Prewarming is background work: any call's real work goes ahead of it, however long it has
# waited. (A deadline of a few seconds became the earliest in the queue once it had passed, and a
# burst just after start-up waited behind the refusals' synthesis: measured, 8 jobs, 3.6 s.)
PREWARM_DEADLINE_S = BACKGROUND_S


async def prewarm_phrases(
    voice: PiperVoice, voice_id: str, phrases: list[str], cache: PhraseCache | None = None
) -> int:
    """Synthesize the fixed phrases into the phrase cache (start-up, in the background)."""
    cache = cache if cache is not None else get_phrase_cache()
    scheduler = get_scheduler()

    async def synthesize(text: str) -> CachedAudio:
        pcm = await scheduler.run_blocking(
            synthesize_pcm, voice, text, deadline=soon(PREWARM_DEADLINE_S), kind="prewarm"
        )
        return CachedAudio(pcm, voice.config.sample_rate)

    return await cache.prewarm(voice_id, synthesize, phrases)
