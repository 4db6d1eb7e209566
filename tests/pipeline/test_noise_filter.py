"""NOISE_FILTER: off by default; `rnnoise` puts a real RNNoise filter on the caller's audio."""

from __future__ import annotations

import numpy as np

from config.settings import Settings
from pipeline.noise_filter import noise_filter


async def test_noise_filter_follows_the_setting() -> None:
    assert noise_filter(Settings(_env_file=None)) is None  # type: ignore[call-arg]
    first = noise_filter(Settings(_env_file=None, noise_filter="rnnoise"))  # type: ignore[call-arg]
    second = noise_filter(Settings(_env_file=None, noise_filter="rnnoise"))  # type: ignore[call-arg]
    assert first is not None and first is not second  # one per call: filters keep state
    await first.start(16000)
    noise = (np.random.default_rng(1).standard_normal(16000) * 3000).astype(np.int16)
    out = b"".join([await first.filter(noise[i : i + 320].tobytes()) for i in range(0, len(noise), 320)])
    await first.stop()
    filtered = np.frombuffer(out, dtype=np.int16).astype(np.float64)
    # Steady hiss is what RNNoise removes best: most of its energy is gone.
    assert len(filtered) > 8000
    assert np.sqrt(np.mean(filtered[4000:] ** 2)) < 0.5 * np.sqrt(np.mean(noise.astype(np.float64) ** 2))
