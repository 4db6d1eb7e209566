"""Admission by measured load: above LOAD_THRESHOLD a new browser call gets 503 with Retry-After.

The service, its calls and the WebRTC peers are real. The load figure is injected
(`monitor.fixed`): this suite runs on a shared, loaded machine, so a measured figure would decide
these tests by whoever else is running. How the figure is measured is tested on its own, by
causing lag.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent.load import LoadMonitor
from pipeline.models import SpeechModels
from signaling.background_server import LiveServer, live_server
from tests.caller import Caller, poll
from tests.voice_fixtures import calls_of, voice_settings, wait_for_no_calls

THRESHOLD = 0.5


@pytest.fixture(scope="module")
def admitting_service(data_dir: Path, models: SpeechModels) -> Iterator[LiveServer]:
    with live_server(voice_settings(data_dir, load_threshold=THRESHOLD)) as server:
        yield server


async def test_offers_above_the_load_threshold_get_503_with_retry_after(
    admitting_service: LiveServer,
) -> None:
    monitor = calls_of(admitting_service).monitor
    first, refused_caller, later = (Caller(admitting_service.url) for _ in range(3))
    try:
        monitor.fixed = 0.99
        # A process with no call admits one whatever the load (the load is then someone else's).
        assert (await first.connect()).status_code == 200
        refused = await refused_caller.connect()
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["retry-after"]) > 0
        assert "busy" in refused.json()["error"]["message"]
        assert calls_of(admitting_service).active == 1  # the refused offer holds no line

        # The figure is exported, and the heartbeat's stats carry it.
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"{admitting_service.url}/metrics")).text
        assert "resume_agent_load " in text
        assert calls_of(admitting_service).stats()["load"] == pytest.approx(0.99)

        monitor.fixed = THRESHOLD - 0.1  # the load went down: calls are admitted again
        assert (await later.connect()).status_code == 200
    finally:
        monitor.fixed = None
        for c in (first, refused_caller, later):
            await c.close()
        await wait_for_no_calls(admitting_service)


async def test_a_stalled_event_loop_raises_the_measured_load() -> None:
    monitor = LoadMonitor()
    monitor.start()
    try:
        await poll(lambda: monitor.samples > 0, 10, "no sample")
        before, seen = monitor.sample(), monitor.samples
        time.sleep(0.4)  # noqa: ASYNC251  (the point: audio pacing is 0.4 s late for everyone)
        await poll(lambda: monitor.samples > seen, 10, "no sample after the stall")
        after = monitor.sample()
        assert after.lag_ms > before.lag_ms and after.lag_ms > 40
        assert monitor.load > 1.0  # 40 ms of lag is the budget: this is well past full
    finally:
        await monitor.stop()
