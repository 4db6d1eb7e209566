"""The test callers' G.711 codecs: every code survives decode then encode, and speech-level
samples come back within the law's quantisation step (A-law: 1/32 of the sample at most)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sip.g711 import A_LAW, MU_LAW, Codec

ALL_SAMPLES = np.arange(-32768, 32768, dtype=np.int16)


@pytest.mark.parametrize("codec", [MU_LAW, A_LAW], ids=lambda c: c.name)
def test_every_code_decodes_to_a_sample_that_encodes_back(codec: Codec) -> None:
    codes = bytes(range(256))
    again = codec.encode(codec.decode(codes))
    # mu-law has two zeros (0x7F is -0); its encoder writes +0.
    assert [i for i in range(256) if again[i] != i] == ([0x7F] if codec is MU_LAW else [])


@pytest.mark.parametrize(("codec", "worst"), [(MU_LAW, 0.043), (A_LAW, 1 / 32)], ids=["PCMU", "PCMA"])
def test_round_trip_error_is_the_quantisation_step(codec: Codec, worst: float) -> None:
    back = codec.decode(codec.encode(ALL_SAMPLES)).astype(np.int32)
    loud = np.abs(ALL_SAMPLES.astype(np.int32)) > 256
    relative = np.abs(back - ALL_SAMPLES)[loud] / np.abs(ALL_SAMPLES[loud].astype(np.int32))
    assert relative.max() <= worst
    assert np.abs(back - ALL_SAMPLES)[~loud].max() <= 16  # the linear segments near zero
