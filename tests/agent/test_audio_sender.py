"""The speech-only Opus encoder (agent/audio_sender.py): silence unencoded, speech intact, one clock."""

from __future__ import annotations

import fractions

import numpy as np
from aiortc import rtp
from aiortc.codecs.opus import OpusDecoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av import AudioFrame

from agent.audio_sender import SpeechOnlyEncoder, audio_level_dbov

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


def test_silence_is_one_fixed_packet_and_speech_survives_with_one_clock() -> None:
    encoder = SpeechOnlyEncoder(OPUS)
    pattern = [False] * 5 + [True] * 20 + [False] * 10 + [True] * 20 + [False] * 5
    out = [encoder.encode(_frame(i, loud)) for i, loud in enumerate(pattern)]

    timestamps = [ts for _, ts, _ in out]
    assert timestamps == [i * 960 for i in range(len(pattern))]  # 20 ms at 48 kHz, gap-free
    silent = {p[0] for (p, _, _), loud in zip(out, pattern, strict=True) if not loud}
    assert len(silent) <= 3  # the fixed silent packet, plus the packets that flush held-back speech

    decoder = OpusDecoder()
    pcm = np.concatenate(
        [
            f.to_ndarray().reshape(-1, 2)[:, 0]  # type: ignore[attr-defined]
            for i, (payloads, _, _) in enumerate(out)
            for payload in payloads
            for f in decoder.decode(JitterFrame(payload, i * 960))
        ]
    )
    frame = 960  # samples per 20 ms at 48 kHz
    loudness = [float(np.abs(pcm[i * frame : (i + 1) * frame]).mean()) for i in range(len(pattern))]
    # Each stretch of speech is heard in full, one frame later (the encoder's look-ahead).
    assert all(loudness[i + 1] > 1000 for i, loud in enumerate(pattern[:-1]) if loud)
    assert all(loudness[i] < 50 for i in range(5))


def test_audio_level_matches_aiortc() -> None:
    for amplitude in (0, 1, 300, 8000, 32767):
        frame = _frame(3, True)
        samples = (frame.to_ndarray().reshape(-1).astype(np.float64) * amplitude / 8000).astype(np.int16)
        scaled = AudioFrame.from_ndarray(samples[None, :], format="s16", layout="mono")
        scaled.sample_rate = RATE
        assert audio_level_dbov(samples) == rtp.compute_audio_level_dbov(scaled)
