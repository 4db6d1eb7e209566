"""The numpy RFC 6465 audio level (agent/audio_sender.py) equals aiortc's."""

from __future__ import annotations

import fractions

import numpy as np
from aiortc import rtp
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av import AudioFrame

from agent.audio_sender import audio_level_dbov

RATE = 24000  # what the agent's output track sends
SAMPLES = RATE // 50
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111)


def _frame(index: int, loud: bool) -> AudioFrame:
    t = np.arange(index * SAMPLES, (index + 1) * SAMPLES)
    samples = (
        (np.sin(2 * np.pi * 440 * t / RATE) * 8000).astype(np.int16) if loud else np.zeros(SAMPLES, np.int16)
    )
    frame = AudioFrame.from_ndarray(samples[None, :], format="s16", layout="mono")
    frame.sample_rate = RATE
    frame.pts = index * SAMPLES
    frame.time_base = fractions.Fraction(1, RATE)
    return frame


def test_audio_level_matches_aiortc() -> None:
    for amplitude in (0, 1, 300, 8000, 32767):
        frame = _frame(3, True)
        samples = (frame.to_ndarray().reshape(-1).astype(np.float64) * amplitude / 8000).astype(np.int16)
        scaled = AudioFrame.from_ndarray(samples[None, :], format="s16", layout="mono")
        scaled.sample_rate = RATE
        assert audio_level_dbov(samples) == rtp.compute_audio_level_dbov(scaled)
