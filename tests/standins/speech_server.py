"""Local stand-ins for cloud speech APIs, with realistic delays: OpenAI-compatible Whisper
transcription (Groq's and OpenAI's `/audio/transcriptions`) and speech (`/audio/speech`, PCM).

This machine cannot reach the cloud. The transcription stand-in cannot hear: it answers after
`stt_delay_s` with `transcript(n)` for the n-th request. The speech stand-in sends its first
bytes after `tts_first_byte_s`, then 24 kHz 16-bit PCM (a voiced tone, 0.3 s a word) in chunks
at twice real time, as a streaming TTS does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import numpy as np
from fastapi import Request
from fastapi.responses import StreamingResponse

from tests.standins.app_server import StandInServer

RATE = 24000
SECONDS_PER_WORD = 0.3
CHUNK_S = 0.1


def voiced(seconds: float) -> bytes:
    t = np.arange(int(RATE * seconds)) / RATE
    wave = 0.3 * np.sin(2 * np.pi * 140 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    return (wave * 32767).astype(np.int16).tobytes()


class SpeechStandIn(StandInServer):
    def __init__(
        self,
        stt_delay_s: float = 0.25,
        tts_first_byte_s: float = 0.15,
        transcript: Callable[[int], str] = lambda _n: "Which projects used Rust?",
    ) -> None:
        self.stt_delay_s = stt_delay_s
        self.tts_first_byte_s = tts_first_byte_s
        self.transcript = transcript
        self.transcriptions = 0
        self.speech_requests: list[dict[str, Any]] = []
        super().__init__()
        self.app.post("/v1/audio/transcriptions")(self._transcribe)
        self.app.post("/v1/audio/speech")(self._speech)

    async def _transcribe(self, request: Request) -> dict[str, Any]:
        await request.body()
        n = self.transcriptions
        self.transcriptions += 1
        await asyncio.sleep(self.stt_delay_s)
        return {"text": self.transcript(n)}

    async def _speech(self, request: Request) -> StreamingResponse:
        body = await request.json()
        self.speech_requests.append(body)
        pcm = voiced(max(0.3, SECONDS_PER_WORD * len(str(body.get("input", "")).split())))
        step = int(RATE * CHUNK_S) * 2

        async def stream() -> AsyncIterator[bytes]:
            await asyncio.sleep(self.tts_first_byte_s)
            for offset in range(0, len(pcm), step):
                yield pcm[offset : offset + step]
                await asyncio.sleep(CHUNK_S / 2)

        return StreamingResponse(stream(), media_type="audio/pcm")
