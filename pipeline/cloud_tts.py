"""Cloud TTS over the OpenAI-compatible speech API (`POST {base}/audio/speech`, PCM streamed),
with Piper speaking every chunk the cloud cannot.

OpenAI's TTS and servers that copy its API answer with 24 kHz 16-bit mono PCM when asked for
`response_format=pcm`, streamed: the first audio frame leaves when the first bytes arrive, not
when the phrase is complete. A failure (connection, HTTP status, timeout before the first byte)
falls back to Piper for that chunk and skips the cloud for CLOUD_RETRY_AFTER_S.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator

from openai import AsyncOpenAI
from pipecat.frames.frames import Frame
from piper import PiperVoice

from pipeline.phrase_cache import CachedAudio
from pipeline.tts import TTS_FALLBACKS, PiperTTS

log = logging.getLogger(__name__)

CLOUD_RATE = 24000  # what the API sends for response_format=pcm
CLOUD_RETRY_AFTER_S = 30.0


class CloudTTS(PiperTTS):
    prepares_ahead = False  # the cloud voice speaks the phrase: a Piper synthesis ahead would be wasted

    def __init__(
        self,
        voice: PiperVoice,
        *,
        base_url: str | None,
        api_key: str,
        model: str,
        cloud_voice: str,
        timeout_s: float = 3.0,
        **kwargs: object,
    ) -> None:
        super().__init__(voice, **kwargs)  # type: ignore[arg-type]
        self._client = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout_s)
        self._model = model
        self._cloud_voice = cloud_voice
        self._timeout_s = timeout_s
        self._down_until = 0.0
        self.fallbacks = 0

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        cloud_id = f"cloud:{self._model}:{self._cloud_voice}"
        cached = self._cache.get(cloud_id, text)
        if cached is not None:
            await self.start_tts_usage_metrics(text)
            async for frame in self._stream_audio_frames_from_iterator(
                _once(cached.pcm), in_sample_rate=cached.sample_rate, context_id=context_id
            ):
                yield frame
            return
        chunks: AsyncIterator[bytes] | None = None
        if time.monotonic() >= self._down_until:
            try:
                chunks = await self._first_bytes(text)
            except Exception as exc:  # connection, status, timeout: Piper speaks this chunk
                self._down_until = time.monotonic() + CLOUD_RETRY_AFTER_S
                TTS_FALLBACKS.labels(type(exc).__name__).inc()
                log.warning("cloud TTS failed (%s); speaking with Piper", type(exc).__name__)
        if chunks is None:
            self.fallbacks += 1
            async for frame in self._piper_frames(text, context_id):
                yield frame
            return
        await self.start_tts_usage_metrics(text)
        kept = bytearray()

        async def keeping() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                kept.extend(chunk)
                yield chunk

        async for frame in self._stream_audio_frames_from_iterator(
            keeping(), in_sample_rate=CLOUD_RATE, context_id=context_id
        ):
            await self.stop_ttfb_metrics()
            yield frame
        self._cache.put(cloud_id, text, CachedAudio(bytes(kept), CLOUD_RATE))

    async def _first_bytes(self, text: str) -> AsyncIterator[bytes]:
        """Start the request and wait for its first audio (within the timeout); the rest streams."""
        context = self._client.audio.speech.with_streaming_response.create(
            model=self._model, voice=self._cloud_voice, input=text, response_format="pcm"
        )
        response = await asyncio.wait_for(context.__aenter__(), self._timeout_s)
        iterator = response.iter_bytes(4800).__aiter__()
        try:
            first = await asyncio.wait_for(iterator.__anext__(), self._timeout_s)
        except BaseException:
            await context.__aexit__(None, None, None)
            raise

        async def rest() -> AsyncIterator[bytes]:
            try:
                yield first
                async for chunk in iterator:
                    yield chunk
            finally:
                await context.__aexit__(None, None, None)

        return rest()


async def _once(pcm: bytes) -> AsyncIterator[bytes]:
    yield pcm
