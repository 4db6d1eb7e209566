"""The caller's audio noise filter (NOISE_FILTER), installed on every transport's input.

Off by default, by measurement: on the noisy copies of bench/stt_accuracy.py both open filters
(RNNoise, DeepFilterNet 3) lowered keyword accuracy for Whisper tiny, which copes with noise
better than with what a suppressor leaves of the speech (docs/voice.md#speech-models).
`rnnoise` needs the `noise` extra (pyrnnoise).
"""

from __future__ import annotations

import importlib.util

from pipecat.audio.filters.base_audio_filter import BaseAudioFilter

from config.settings import Settings


def noise_filter(settings: Settings) -> BaseAudioFilter | None:
    """A new filter for one call's input (filters keep per-call state), or None."""
    if settings.noise_filter == "rnnoise":
        # Pipecat's filter would only log the missing package and pass the audio through.
        if importlib.util.find_spec("pyrnnoise") is None:
            raise RuntimeError("NOISE_FILTER=rnnoise needs pyrnnoise: pip install 'resume-agent[noise]'")
        from pipecat.audio.filters.rnnoise_filter import RNNoiseFilter

        return RNNoiseFilter()
    return None
