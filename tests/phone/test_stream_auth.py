"""The phone stream's secret: checked before accept when the handshake carries it; otherwise the
socket is pending, capped, and closed unless its `start` proves the secret within 2 s."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from pipeline.models import SpeechModels
from signaling.background_server import LiveServer, live_server
from signaling.routes.phone import PENDING_TIMEOUT_S
from tests.caller import poll
from tests.phone.conftest import PHONE_SECRET
from tests.phone.twilio_client import TwilioPeer
from tests.voice_fixtures import voice_settings, wait_for_no_calls

PENDING_MAX = 2


@pytest.fixture(scope="module")
def strict_phone(data_dir: Path, models: SpeechModels) -> Iterator[LiveServer]:
    settings = voice_settings(
        data_dir, phone_stream_secret=PHONE_SECRET, phone_pending_max=PENDING_MAX, max_calls_per_ip=1
    )
    with live_server(settings) as server:
        yield server


def url(server: LiveServer, provider: str = "twilio", query: str = "") -> str:
    return server.url.replace("http://", "ws://") + f"/api/phone/{provider}/stream{query}"


def _start(secret: str | None, number: str) -> str:
    params = {"from": number} | ({"secret": secret} if secret else {})
    sid = "MZ" + uuid.uuid4().hex
    return json.dumps(
        {
            "event": "start",
            "streamSid": sid,
            "start": {"streamSid": sid, "callSid": "CA1", "customParameters": params},
        }
    )


async def _refused_at_handshake(address: str, headers: dict[str, str] | None = None) -> int:
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with websockets.connect(address, additional_headers=headers):
            pass
    return refused.value.response.status_code


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?secret=guess", None),
        ("", {"X-Phone-Stream-Secret": "guess"}),
        ("", {"Authorization": "Bearer guess"}),
        (f"?secret={PHONE_SECRET}x", None),
    ],
)
async def test_a_wrong_handshake_secret_is_refused_before_accept(
    strict_phone: LiveServer, query: str, headers: dict[str, str] | None
) -> None:
    for provider in ("twilio", "telnyx"):
        assert await _refused_at_handshake(url(strict_phone, provider, query), headers) == 403
    assert strict_phone.app.state.ctx.caps.phone_pending.total == 0


async def test_a_handshake_secret_needs_nothing_in_start(strict_phone: LiveServer) -> None:
    peer = TwilioPeer(url(strict_phone), {"from": "+15550171"})
    peer.url = url(strict_phone, query=f"?secret={PHONE_SECRET}")
    await peer.connect()
    try:
        calls = strict_phone.app.state.ctx.calls
        deadline = time.monotonic() + 20
        while calls.active == 0:
            assert time.monotonic() < deadline, "the call never started"
            await asyncio.sleep(0.05)
    finally:
        await peer.hang_up()
    await wait_for_no_calls(strict_phone)


async def test_pending_streams_are_capped_and_closed_within_two_seconds(strict_phone: LiveServer) -> None:
    pending: list[ClientConnection] = []
    try:
        opened = time.monotonic()
        for _ in range(PENDING_MAX):
            pending.append(await websockets.connect(url(strict_phone)))  # accepted, nothing sent
        assert strict_phone.app.state.ctx.caps.phone_pending.total == PENDING_MAX
        assert await _refused_at_handshake(url(strict_phone)) == 403  # over the cap
        for ws in pending:
            await asyncio.wait_for(ws.wait_closed(), PENDING_TIMEOUT_S + 3)
            assert ws.close_code == 1008
        assert time.monotonic() - opened >= PENDING_TIMEOUT_S  # they did get their 2 s
    finally:
        for ws in pending:
            await ws.close()
    assert strict_phone.app.state.ctx.caps.phone_pending.total == 0
    # Slots are back: a Twilio stream proving its secret in `start` still gets through.
    async with websockets.connect(url(strict_phone)) as ws:
        await ws.send(json.dumps({"event": "connected"}))
        await ws.send(_start("wrong", "+15550172"))
        await asyncio.wait_for(ws.wait_closed(), PENDING_TIMEOUT_S + 3)
        assert ws.close_code == 1008
    assert strict_phone.app.state.ctx.calls.active == 0


async def test_one_number_holds_at_most_its_share_of_lines(strict_phone: LiveServer) -> None:
    first = TwilioPeer(url(strict_phone), {"secret": PHONE_SECRET, "from": "+15550173"})
    again = TwilioPeer(url(strict_phone), {"secret": PHONE_SECRET, "from": "+15550173"})
    other = TwilioPeer(url(strict_phone), {"secret": PHONE_SECRET, "from": "+15550174"})
    await first.connect()
    try:
        calls = strict_phone.app.state.ctx.calls
        deadline = time.monotonic() + 20
        while calls.active == 0:
            assert time.monotonic() < deadline, "the call never started"
            await asyncio.sleep(0.05)
        await again.connect()
        await asyncio.wait_for(again.closed.wait(), 10)  # MAX_CALLS_PER_IP=1 for this number
        assert again.received == []
        await other.connect()
        while calls.active < 2:
            assert time.monotonic() < deadline, "another number's call never started"
            await asyncio.sleep(0.05)
    finally:
        for peer in (first, again, other):
            await peer.hang_up()
    await wait_for_no_calls(strict_phone)
    caps = strict_phone.app.state.ctx.caps  # released in each call task's done callback, a loop turn later
    await poll(lambda: caps.calls.total == 0, 10, "phone lines still held", interval_s=0.05)
