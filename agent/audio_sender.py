"""The RFC 6465 audio level of an outgoing audio frame, with numpy (used by webrtc_tuning).

aiortc computes it with a Python loop over every sample, 50 times a second per call: 6 % of the
serving loop's py-spy samples at a burst of 8 calls. Same formula, same result.

(Sending digital silence as one fixed Opus packet, without encoding it, was tried here and taken
out: at a burst under load the audio callers heard re-transcribed empty with it and intelligibly
without. Why was not found; Opus encoding stays 65 % of the loop's samples at such a burst.)
"""

from __future__ import annotations

import math

import numpy as np

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
