"""G.711 for the tests' RTP callers, in numpy: mu-law (PCMU, North America and Japan) and A-law
(PCMA, the rest of the world's trunks), the ITU formulas of the reference implementation
(Sun's g711.c). Python's audioop did this but is deprecated and gone from Python 3.13."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

PCMU = 0  # the RTP/AVP static payload types (RFC 3551)
PCMA = 8


def ulaw_encode(pcm: np.ndarray) -> bytes:
    x = np.clip(pcm.astype(np.int32), -32635, 32635)
    sign = np.where(x < 0, 0x80, 0)
    x = np.abs(x) + 0x84
    exponent = np.floor(np.log2(x)).astype(np.int32) - 7
    mantissa = (x >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(data: bytes) -> np.ndarray:
    u = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    exponent = (u >> 4) & 0x07
    magnitude = (((u & 0x0F) << 3) + 0x84) << exponent
    return np.where(u & 0x80, 0x84 - magnitude, magnitude - 0x84).astype(np.int16)


def alaw_encode(pcm: np.ndarray) -> bytes:
    x = pcm.astype(np.int32) >> 3  # A-law codes 13 bits
    sign = np.where(x >= 0, 0x80, 0)  # unlike mu-law, the sign bit is set for positive samples
    magnitude = np.minimum(np.where(x >= 0, x, -x - 1), 0xFFF)
    # Segment 0 (magnitude < 32) is linear, like segment 1; above, one segment per octave.
    segment = np.maximum(np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32) - 4, 0)
    mantissa = (magnitude >> np.maximum(segment, 1)) & 0x0F
    return ((sign | (segment << 4) | mantissa) ^ 0x55).astype(np.uint8).tobytes()  # even bits inverted


def alaw_decode(data: bytes) -> np.ndarray:
    a = np.frombuffer(data, dtype=np.uint8).astype(np.int32) ^ 0x55
    segment = (a >> 4) & 0x07
    step = (a & 0x0F) << 4
    magnitude = np.where(segment == 0, step + 8, (step + 0x108) << np.maximum(segment - 1, 0))
    return np.where(a & 0x80, magnitude, -magnitude).astype(np.int16)


@dataclass(frozen=True)
class Codec:
    name: str  # as in the SDP's rtpmap
    payload_type: int
    encode: Callable[[np.ndarray], bytes]
    decode: Callable[[bytes], np.ndarray]


MU_LAW = Codec("PCMU", PCMU, ulaw_encode, ulaw_decode)
A_LAW = Codec("PCMA", PCMA, alaw_encode, alaw_decode)
