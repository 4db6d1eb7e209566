"""Piper's session gives back what a sentence took: nothing stays per size ever synthesized.

With ONNX Runtime's memory arena on, one long sentence left ~230 MB of activations held for
good, and the service grew call after call as longer answers came (bench/memory_probe.py).
"""

from __future__ import annotations

import pytest

from agent.memory import heap_mb
from config.settings import Settings
from pipeline.models import load_piper, piper_voice_path
from pipeline.tts import synthesize_pcm

LONG = (
    "Jordan used Rust in three projects: a tile server, a geocoder written for the mapping team, "
    "and a streaming ingest service that handled millions of events per day."
)


def test_a_long_sentence_leaves_no_native_memory_held() -> None:
    if heap_mb() is None:
        pytest.skip("needs glibc's mallinfo2 to see native memory")
    voice = load_piper(piper_voice_path(Settings(_env_file=None)), 2)  # type: ignore[call-arg]
    synthesize_pcm(voice, "Hello, warming up.")  # one-time allocations (weights, thread pools)
    before = heap_mb()
    audio = synthesize_pcm(voice, LONG)
    after = heap_mb()
    assert before is not None and after is not None
    assert len(audio) > 24000  # it did speak: over half a second of 22 kHz int16
    # Measured: +0 MB without the arena, +231 MB with it.
    assert after["in_use"] - before["in_use"] < 20, (before, after)
