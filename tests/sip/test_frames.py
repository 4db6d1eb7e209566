"""The quick copy of a PJSIP frame buffer gives exactly the bytes the slow path gives."""

from __future__ import annotations

import pjsua2 as pj

from agent.sip import frames


def test_frame_bytes_reads_the_vector_exactly() -> None:
    assert frames.frame_bytes is frames._fast  # the quick path holds for this PJSIP build
    for data in (b"", b"\x01", bytes(range(256)) * 2, bytes(320)):
        assert frames.frame_bytes(pj.ByteVector(data)) == data
