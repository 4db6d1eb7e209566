"""Moonshine tiny, the second local STT engine (STT_LOCAL_ENGINE=moonshine).

`moonshine-voice` 0.0.73 ships the tiny-en weights inside its wheel, so nothing is downloaded
(Pipecat's `MoonshineSTTService` fetches its model from a hub on first use, which fails offline).
A `Transcriber` is not safe to share between threads (two at once return garbage), so the process
keeps one per STT thread in a pool and each transcription borrows one. Moonshine takes no
vocabulary prompt: the resume's words come back through `pipeline/stt_correction.py` only.
"""

from __future__ import annotations

import os
import queue
from importlib import resources
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16000
# Its own VAD off: Silero has already cut the utterance, and with it on, a transcriber that has
# run before sometimes adds a line "You" for the lead-in silence (measured: 1 run in 4).
OPTIONS = {"vad_threshold": "0"}


class LocalTranscriber(Protocol):
    """Blocking transcription of 16 kHz mono PCM16 (run it on an STT thread)."""

    def transcribe(self, pcm16: bytes) -> str: ...


def moonshine_model_path() -> str:
    return str(resources.files("moonshine_voice").joinpath("assets", "tiny-en"))


class MoonshinePool:
    """`size` Moonshine tiny transcribers, loaded once per process and shared by every call."""

    def __init__(self, size: int, single_thread: bool = True) -> None:
        if single_thread:
            # Read by libmoonshine when a session is made: one ONNX thread per transcriber. On two
            # cores, each STT thread already has a core; more threads per model only contend.
            os.environ.setdefault("MOONSHINE_ORT_SINGLE_THREAD", "1")
        from moonshine_voice import ModelArch, Transcriber

        self._free: queue.SimpleQueue[Transcriber] = queue.SimpleQueue()
        for _ in range(max(1, size)):
            self._free.put(Transcriber(moonshine_model_path(), ModelArch.TINY, options=OPTIONS))

    def transcribe(self, pcm16: bytes) -> str:
        audio = np.frombuffer(pcm16, dtype=np.int16).astype(np.float32) / 32768.0
        if not len(audio):
            return ""
        transcriber = self._free.get()
        try:
            transcript = transcriber.transcribe_without_streaming(audio.tolist(), SAMPLE_RATE)
        finally:
            self._free.put(transcriber)
        return " ".join(line.text.strip() for line in transcript.lines if line.text.strip())
