"""One network cannot take every line: live calls and offers in flight are capped per client IP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipeline.models import SpeechModels
from signaling.background_server import LiveServer, live_server
from signaling.call_caps import CallCaps, CapReached, ConcurrencyCap
from tests.caller import Caller, poll
from tests.voice_fixtures import real_offer, voice_settings, wait_for_no_calls

# Passes check_sdp (so it takes an offer slot), then fails in aiortc: 400 once admitted.
ADMITTED_BUT_BAD = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=garbage\r\n"


@pytest.fixture(scope="module")
def capped_service(data_dir: Path, models: SpeechModels) -> Iterator[LiveServer]:
    settings = voice_settings(
        data_dir, max_calls_per_ip=1, max_offers_in_flight_per_ip=1, call_connect_timeout_s=2.0
    )
    with live_server(settings) as server:
        yield server


def _caps(server: LiveServer) -> CallCaps:
    caps: CallCaps = server.app.state.ctx.caps
    return caps


async def _wait_for_line_back(server: LiveServer, key: str = "ip:127.0.0.1") -> None:
    # The hold goes back in the call task's done callback, a loop turn after the call has left
    # the registry that wait_for_no_calls watches.
    await poll(lambda: _caps(server).calls.held(key) == 0, 10, f"{key} still holds a line", interval_s=0.05)


def _on_server_loop(server: LiveServer, fn: object) -> None:
    async def run() -> None:
        fn()  # type: ignore[operator]

    asyncio.run_coroutine_threadsafe(run(), server.app.state.ctx.calls.loop).result(timeout=10)


async def test_a_second_call_from_the_same_network_is_429_until_the_first_ends(
    capped_service: LiveServer,
) -> None:
    first, second, third = (Caller(capped_service.url) for _ in range(3))
    try:
        assert (await first.connect()).status_code == 200
        refused = await second.connect()
        assert refused.status_code == 429, refused.text
        assert "calls in progress" in refused.json()["error"]["message"]
        assert refused.headers["retry-after"]
        assert _caps(capped_service).calls.held("ip:127.0.0.1") == 1
        await first.close()
        await wait_for_no_calls(capped_service)
        await _wait_for_line_back(capped_service)
        assert (await third.connect()).status_code == 200
    finally:
        for c in (first, second, third):
            await c.close()
    await wait_for_no_calls(capped_service)
    await poll(lambda: _caps(capped_service).calls.total == 0, 10, "lines still held", interval_s=0.05)


async def test_offers_in_flight_are_capped_per_ip(capped_service: LiveServer) -> None:
    caps = _caps(capped_service)
    _on_server_loop(capped_service, lambda: caps.offers.acquire("127.0.0.1"))  # an offer being processed
    try:
        async with httpx.AsyncClient(base_url=capped_service.url, timeout=30) as http:
            held = await http.post("/api/offer", json={"sdp": ADMITTED_BUT_BAD, "type": "offer"})
            assert held.status_code == 429, held.text
            assert "offers in progress" in held.json()["error"]["message"]
            _on_server_loop(capped_service, lambda: caps.offers.release("127.0.0.1"))
            admitted = await http.post("/api/offer", json={"sdp": ADMITTED_BUT_BAD, "type": "offer"})
            assert admitted.status_code == 400, admitted.text  # admitted, then refused as malformed
    finally:
        if caps.offers.held("127.0.0.1"):
            _on_server_loop(capped_service, lambda: caps.offers.release("127.0.0.1"))
    assert caps.offers.total == 0 and caps.calls.total == 0  # a failed offer gives its holds back


async def test_an_offer_whose_peer_never_connects_gives_its_line_back(capped_service: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=capped_service.url, timeout=30) as http:
        accepted = await http.post("/api/offer", json={"sdp": await real_offer(), "type": "offer"})
        assert accepted.status_code == 200, accepted.text
        assert _caps(capped_service).calls.held("ip:127.0.0.1") == 1
        await wait_for_no_calls(capped_service, timeout_s=30)  # CALL_CONNECT_TIMEOUT_S=2 here
        await _wait_for_line_back(capped_service)


def test_concurrency_cap_counts_per_key_and_hands_holds_to_tasks() -> None:
    cap = ConcurrencyCap(2)
    cap.acquire("a")
    cap.acquire("a")
    with pytest.raises(CapReached):
        cap.acquire("a")
    cap.acquire("b")
    cap.release("a")
    with cap.hold("a"), pytest.raises(CapReached):
        cap.acquire("a")
    assert cap.held("a") == 1 and cap.total == 2

    async def scenario() -> None:
        done = asyncio.Event()

        async def call() -> None:
            await done.wait()

        task = asyncio.create_task(call())
        cap.release_when_done("a", task)
        assert cap.held("a") == 1
        done.set()
        await task
        await asyncio.sleep(0)  # done callbacks run on the next loop iteration
        assert cap.held("a") == 0

    asyncio.run(scenario())
