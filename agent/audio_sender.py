"""Opus for one outgoing audio track, at the cost of the speech only (used by webrtc_tuning).

Measured with py-spy on a burst of 8 calls (bench/voice_burst.py), Opus encoding was 65 % of the
serving event loop's time while the answers were being synthesized, and aiortc's RFC 6465 audio
level (a pure-Python loop over every sample) another 6 %: paid 50 times a second per call,
whether the agent speaks or not. Most of a call's frames are silence (the agent listens), so:

* **Silence is one packet, encoded once.** A frame of digital zeros (what Pipecat's output
  track sends when nothing is queued) goes out as a fixed silent Opus packet, like a
  browser's comfort noise, without touching the encoder.
* **Speech is encoded as before**, by aiortc's encoder, one per track for the whole call (a
  fresh encoder fades each phrase in over ~100 ms). Before going quiet it is fed one silent
  frame, which flushes the speech it still holds back.
* **Timestamps come from the frame's own pts**, not the encoder's count, so packets of either
  kind follow one clock (the encoder's is one frame behind, which it always was).
* **The audio level is computed with numpy**, with RFC 6465's formula.
"""

from __future__ import annotations

import fractions
import math
from typing import Any

import numpy as np
from aiortc.codecs import get_encoder
from av import AudioFrame

OPUS_RATE = 48000
PRIMING_FRAMES = 5
MIN_AUDIO_LEVEL = -127  # RFC 6465, dBov: silence


def audio_level_dbov(samples: np.ndarray) -> int:
    """RFC 6465's level of int16 samples, as aiortc's `compute_audio_level_dbov` gives it."""
    if not len(samples):
        return MIN_AUDIO_LEVEL
    x = samples.astype(np.float64)
    rms = math.sqrt(float(np.dot(x, x)) / (len(samples) * 32767.0 * 32767.0))
    if rms <= 0:
        return MIN_AUDIO_LEVEL
    return round(max(float(MIN_AUDIO_LEVEL), min(0.0, 20 * math.log10(rms))))


def _silent_payload(codec: Any, sample_rate: int, samples: int) -> bytes:
    encoder = get_encoder(codec)
    payloads: list[bytes] = []
    for i in range(4):  # past the encoder's look-ahead: a packet of nothing but silence
        frame = AudioFrame.from_ndarray(np.zeros((1, samples), dtype=np.int16), format="s16", layout="mono")
        frame.sample_rate = sample_rate
        frame.pts = i * samples
        frame.time_base = fractions.Fraction(1, sample_rate)
        payloads += encoder.encode(frame)[0]
    return payloads[-1]


class SpeechOnlyEncoder:
    """Per sender: (payloads, RTP timestamp, audio level) for each 20 ms audio frame."""

    def __init__(self, codec: Any) -> None:
        self._codec = codec
        self._encoder: Any = None  # made at the first speech frame
        self._holding = False  # the encoder holds speech it has not put out yet
        self._silence: dict[tuple[int, int], bytes] = {}
        self._first_pts: int | None = None

    def encode(self, frame: AudioFrame) -> tuple[list[bytes], int, int]:
        if self._first_pts is None:
            self._first_pts = int(frame.pts or 0)
        timestamp = (int(frame.pts or 0) - self._first_pts) * OPUS_RATE // frame.sample_rate
        samples = frame.to_ndarray().reshape(-1)
        if not samples.any():
            if not self._holding:
                return [self._silent(frame)], timestamp, MIN_AUDIO_LEVEL
            payloads = self._encoder.encode(frame, False)[0]  # flush the held-back speech
            self._holding = False
            return payloads or [self._silent(frame)], timestamp, MIN_AUDIO_LEVEL
        if self._encoder is None:
            self._encoder = self._primed_encoder(frame)
        self._holding = True
        payloads = self._encoder.encode(frame, False)[0]
        # (A fresh encoder's first frame comes out with the next one: silence holds its place.)
        return payloads or [self._silent(frame)], timestamp, audio_level_dbov(samples)

    def _primed_encoder(self, frame: AudioFrame) -> Any:
        """A new encoder that has seen a little silence first: fresh, it fades speech in."""
        encoder = get_encoder(self._codec)
        for i in range(PRIMING_FRAMES, 0, -1):
            silent = AudioFrame.from_ndarray(
                np.zeros((1, frame.samples), dtype=np.int16), format="s16", layout="mono"
            )
            silent.sample_rate = frame.sample_rate
            silent.pts = int(frame.pts or 0) - i * frame.samples
            silent.time_base = fractions.Fraction(1, frame.sample_rate)
            encoder.encode(silent, False)
        return encoder

    def _silent(self, frame: AudioFrame) -> bytes:
        key = (frame.sample_rate, frame.samples)
        if key not in self._silence:
            self._silence[key] = _silent_payload(self._codec, frame.sample_rate, frame.samples)
        return self._silence[key]
