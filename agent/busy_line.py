"""Refusing a phone call politely: "all lines are busy" spoken on the stream, then hang up.

A browser gets a 503 it can show; a phone caller hears only audio, so a refused media stream
plays the cached busy phrase (agent/data/phrases.json) in real time, waits for it to be heard,
and closes. No pipeline is built: a refused call must cost the loaded process next to nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from fastapi import WebSocket
from pipecat.frames.frames import OutputAudioRawFrame
from pipecat.serializers.base_serializer import FrameSerializer

from agent.phrases import phrase
from pipeline.models import SpeechModels
from pipeline.phrase_cache import CachedAudio, get_phrase_cache
from pipeline.scheduler import get_scheduler, soon
from pipeline.tts import synthesize_pcm

log = logging.getLogger(__name__)

FRAME_S = 0.02
LEAD_S = 0.2  # audio sent ahead of real time: enough to ride out a hiccup, little to lose on hang-up
TAIL_S = 0.3  # after the last frame, before the hang-up, so the end of the phrase is not cut


async def busy_audio(models: SpeechModels) -> CachedAudio:
    """The busy phrase in the process's voice: from the phrase cache, else synthesized once."""
    text = phrase("busy")
    cache = get_phrase_cache()
    voice_id = str(models.piper_path)
    audio = cache.get(voice_id, text)
    if audio is None:
        pcm = await get_scheduler().run_blocking(
            synthesize_pcm, models.piper, text, deadline=soon(), kind="tts"
        )
        audio = CachedAudio(pcm, models.piper.config.sample_rate)
        cache.register([text])
        cache.put(voice_id, text, audio)
    return audio


async def say_busy_and_hang_up(
    websocket: WebSocket, serializer: FrameSerializer, models: SpeechModels
) -> None:
    try:
        audio = await busy_audio(models)
        step = int(audio.sample_rate * FRAME_S) * 2
        start = time.monotonic()
        for i, offset in enumerate(range(0, len(audio.pcm), step)):
            frame = OutputAudioRawFrame(audio.pcm[offset : offset + step], audio.sample_rate, 1)
            message = await serializer.serialize(frame)
            if message is not None:
                await (
                    websocket.send_text(message)
                    if isinstance(message, str)
                    else websocket.send_bytes(message)
                )
            ahead = start + i * FRAME_S - time.monotonic()
            if ahead > LEAD_S:
                await asyncio.sleep(ahead - LEAD_S)
        await asyncio.sleep(max(0.0, start + audio.seconds - time.monotonic()) + TAIL_S)
    except Exception:  # the caller hung up first, or the voice failed: the refusal stands anyway
        log.info("busy message not fully played", exc_info=True)
    finally:
        with contextlib.suppress(Exception):
            await websocket.close()
