"""Text to speech: Piper on the shared voice, or Edge TTS with Piper as its fallback.

Pipecat's TTS base aggregates the answer into sentences and calls `run_tts` once per sentence,
so the first sentence plays while the next is synthesized.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator

import av
import edge_tts
import numpy as np
from pipecat.frames.frames import ErrorFrame, Frame
from pipecat.services.settings import TTSSettings
from pipecat.services.tts_service import TextAggregationMode, TTSService
from piper import PiperVoice
from prometheus_client import Counter

from pipeline.models import run_tts

log = logging.getLogger(__name__)

TTS_FALLBACKS = Counter("resume_agent_tts_fallbacks_total", "Edge TTS failures spoken by Piper", ["reason"])

# After an Edge failure, skip it for this long rather than paying its failure on every sentence.
EDGE_RETRY_AFTER_S = 30.0


class PiperTTS(TTSService):
    def __init__(self, voice: PiperVoice, **kwargs: object) -> None:
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

    def can_generate_metrics(self) -> bool:
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        async for frame in self._piper_frames(text, context_id):
            yield frame

    async def _piper_frames(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        voice = self._voice

        async def chunks() -> AsyncIterator[bytes]:
            # Piper yields one chunk per sentence; each is synthesized in a worker thread.
            iterator = iter(voice.synthesize(text))
            while True:
                chunk = await run_tts(next, iterator, None)
                if chunk is None:
                    return
                yield chunk.audio_int16_bytes

        try:
            await self.start_tts_usage_metrics(text)
            async for frame in self._stream_audio_frames_from_iterator(
                chunks(), in_sample_rate=voice.config.sample_rate, context_id=context_id
            ):
                await self.stop_ttfb_metrics()
                yield frame
        except Exception as exc:
            log.exception("piper failed")
            yield ErrorFrame(error=f"piper failed: {exc}")
        finally:
            await self.stop_ttfb_metrics()


class EdgeTTS(PiperTTS):
    """Microsoft Edge's online voices; each sentence Edge cannot speak is spoken by Piper."""

    def __init__(self, voice: PiperVoice, edge_voice: str, timeout_s: float = 3.0, **kwargs: object) -> None:
        super().__init__(voice, **kwargs)
        self._edge_voice = edge_voice
        self._timeout_s = timeout_s
        self._edge_down_until = 0.0
        self.fallbacks = 0

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        pcm: bytes | None = None
        if time.monotonic() >= self._edge_down_until:
            try:
                async with asyncio.timeout(self._timeout_s):
                    mp3 = await self._edge_mp3(text)
                pcm = await run_tts(decode_mp3, mp3, self.sample_rate)
            except Exception as exc:  # DNS, HTTP, timeout, undecodable audio: all mean "use Piper"
                self._edge_down_until = time.monotonic() + EDGE_RETRY_AFTER_S
                TTS_FALLBACKS.labels(type(exc).__name__).inc()
                log.warning("edge-tts failed (%s); speaking with Piper", type(exc).__name__)
        if pcm is None:
            self.fallbacks += 1
            async for frame in self._piper_frames(text, context_id):
                yield frame
            return

        async def one() -> AsyncIterator[bytes]:
            yield pcm

        await self.start_tts_usage_metrics(text)
        async for frame in self._stream_audio_frames_from_iterator(
            one(), in_sample_rate=self.sample_rate, context_id=context_id
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
