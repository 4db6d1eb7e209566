"""A phone call over the load threshold hears "all lines are busy" and is hung up.

Real service, models and Twilio protocol peer; the load figure is injected (the test machine's
own load would otherwise decide), see tests/agent/test_admission.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from pipeline.models import SpeechModels
from pipeline.stt import LocalWhisper
from signaling.background_server import LiveServer, live_server
from tests.phone.conftest import PHONE_SECRET
from tests.phone.test_twilio_stream import wait_quiet, ws_url
from tests.phone.twilio_client import TwilioPeer
from tests.voice_fixtures import calls_of, voice_settings, wait_for_no_calls


@pytest.fixture(scope="module")
def busy_phone_service(data_dir: Path, models: SpeechModels) -> Iterator[LiveServer]:
    settings = voice_settings(data_dir, phone_stream_secret=PHONE_SECRET, load_threshold=0.5)
    with live_server(settings) as server:
        yield server


def _to_16k(pcm8k: np.ndarray) -> bytes:
    return np.repeat(pcm8k, 2).astype(np.int16).tobytes()


async def test_a_refused_phone_call_hears_the_busy_message_then_the_line_closes(
    busy_phone_service: LiveServer, models: SpeechModels
) -> None:
    calls = calls_of(busy_phone_service)
    calls.monitor.fixed = 0.99
    first = TwilioPeer(ws_url(busy_phone_service), {"secret": PHONE_SECRET, "from": "+15550170"})
    second = TwilioPeer(ws_url(busy_phone_service), {"secret": PHONE_SECRET, "from": "+15550171"})
    try:
        await first.connect()
        await wait_quiet(first, after=0.0)  # admitted (the only call): its greeting plays
        assert calls.active == 1

        await second.connect()
        await asyncio.wait_for(second.closed.wait(), 60)  # the service hung up on its own
        assert second.speech_after(0.0) is not None, "the refused caller heard nothing"
        heard = LocalWhisper(models.whisper, "").transcribe(_to_16k(second.audio()))
        assert "busy" in heard.lower() and "try again" in heard.lower(), heard
        assert calls.active == 1  # the refused stream never became a call
    finally:
        calls.monitor.fixed = None
        await second.hang_up()
        await first.hang_up()
        await wait_for_no_calls(busy_phone_service)
