"""Speculative STT: an early transcript is used only for the very audio it was made from, and
the real Silero VAD tells when a silence within an utterance starts and ends."""

from __future__ import annotations

import asyncio

import numpy as np
from pipecat.audio.vad.vad_analyzer import VADParams
from prometheus_client import REGISTRY

from pipeline.analyzers import SharedSileroVAD
from pipeline.models import SpeechModels
from pipeline.speculation import Speculation
from tests.voice_fixtures import speech, to_16k

PAD = bytes(1600)


def _count(outcome: str) -> float:
    return REGISTRY.get_sample_value("resume_agent_stt_speculations_total", {"outcome": outcome}) or 0.0


class Recorder:
    def __init__(self) -> None:
        self.heard: list[bytes] = []
        self.release = asyncio.Event()

    async def transcribe(self, audio: bytes) -> str:
        self.heard.append(audio)
        await self.release.wait()
        return f"{len(audio)} bytes"


async def test_early_transcript_is_used_when_only_silence_followed() -> None:
    rec = Recorder()
    spec = Speculation(rec.transcribe)
    spoken = b"\x01\x02" * 800
    used = _count("used")
    spec.start(spoken + PAD)
    rec.release.set()
    text = await spec.take(spoken + bytes(640) + PAD, len(PAD))  # the stop wait's silence, then the pad
    assert text == f"{len(spoken) + len(PAD)} bytes"
    assert _count("used") == used + 1
    assert not spec.pending


async def test_early_transcript_of_other_audio_is_not_used() -> None:
    rec = Recorder()
    spec = Speculation(rec.transcribe)
    stale = _count("stale")
    spec.start(b"\x01\x02" * 800 + PAD)
    rec.release.set()
    assert await spec.take(b"\x03\x04" * 900 + PAD, len(PAD)) is None
    assert _count("stale") == stale + 1


async def test_dropped_speculation_leaves_nothing_to_take() -> None:
    rec = Recorder()
    spec = Speculation(rec.transcribe)
    dropped = _count("dropped")
    spec.start(b"\x01\x02" * 800 + PAD)
    spec.drop()
    assert _count("dropped") == dropped + 1
    assert await spec.take(b"\x01\x02" * 800 + PAD, len(PAD)) is None


class Pauses:
    def __init__(self) -> None:
        self.events: list[str] = []

    def on_pause(self) -> None:
        self.events.append("pause")

    def on_resume(self) -> None:
        self.events.append("resume")


async def _feed(vad: SharedSileroVAD, pcm: bytes) -> None:
    for i in range(0, len(pcm) - 639, 640):  # 20 ms frames, as WebRTC delivers them
        await vad.analyze_audio(pcm[i : i + 640])


def _trimmed(models: SpeechModels, text: str) -> bytes:
    """Piper's speech without its own leading and trailing silence."""
    audio = speech(models, text)
    loud = np.flatnonzero(np.abs(audio) > 500)
    return to_16k(audio[loud[0] : loud[-1] + 1])


async def test_vad_reports_a_pause_within_speech_and_its_end(models: SpeechModels) -> None:
    said = _trimmed(models, "Which projects used Rust?")
    silence = np.zeros(16000 // 10 * 2, dtype=np.uint8).tobytes()  # 100 ms: under the 0.2 s stop
    listener = Pauses()
    vad = SharedSileroVAD(
        models.vad_session, params=VADParams(stop_secs=0.2), pause_listener=listener, pause_s=0.06
    )
    vad.set_sample_rate(16000)
    await _feed(vad, said + silence + said)
    assert "pause" in listener.events and "resume" in listener.events
    first_resume = listener.events.index("resume")
    assert listener.events[first_resume - 1] == "pause"  # each resume follows a pause


async def test_vad_tells_no_pause_for_a_silence_shorter_than_asked(models: SpeechModels) -> None:
    said = to_16k(speech(models, "Which projects used Rust?"))
    listener = Pauses()
    # Asked for a pause as long as the stop wait itself: only the end of speech could reach it,
    # and that ends the utterance rather than resuming it.
    vad = SharedSileroVAD(
        models.vad_session, params=VADParams(stop_secs=0.2), pause_listener=listener, pause_s=0.2
    )
    vad.set_sample_rate(16000)
    await _feed(vad, said + bytes(16000))
    assert "resume" not in listener.events
