"""POST/PATCH /api/offer against the real service on loopback, with real aiortc peers.

Every test that opens peers checks that the server's tasks and the process's open peer
connections are back to where they were once the calls are over: nothing leaks.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from pipeline.models import SpeechModels
from signaling.background_server import LiveServer, live_server
from tests.caller import Caller
from tests.voice_fixtures import (
    VOICE_MAX_CALLS,
    Baseline,
    calls_of,
    open_peer_connections,
    server_task_count,
    session_row,
    speech,
    voice_settings,
    wait_for_no_calls,
    wait_for_turns,
    wait_until_quiet,
)


async def _post(server: LiveServer, body: dict, token: str | None = None) -> httpx.Response:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        return await http.post("/api/offer", json=body, headers=headers)


async def test_malformed_sdp_is_a_clear_400_and_leaks_nothing(voice_service: LiveServer) -> None:
    baseline = Baseline(voice_service)
    for sdp, fragment in [
        ("hello", "starts with 'v=0'"),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", "no audio section"),
        ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=garbage\r\n", "malformed SDP"),
    ]:
        response = await _post(voice_service, {"sdp": sdp, "type": "offer"})
        assert response.status_code == 400, response.text
        assert fragment in response.json()["error"]["message"]
    response = await _post(voice_service, {"sdp": "v=0", "type": "answer"})
    assert response.status_code == 400
    await baseline.check()


async def test_second_offer_for_a_live_session_is_409(voice_service: LiveServer, caller: Caller) -> None:
    baseline = Baseline(voice_service)
    assert (await caller.connect()).status_code == 200
    second = Caller(voice_service.url, session_id=caller.session_id, token=caller.token)
    try:
        response = await second.connect()
        assert response.status_code == 409
        assert "already has a call" in response.json()["error"]["message"]
        # Without the session's token it is not even considered.
        stranger = Caller(voice_service.url, session_id=caller.session_id)
        assert (await stranger.connect()).status_code == 401
        await stranger.close()
    finally:
        await second.close()
    await caller.close()
    await baseline.check()


async def test_a_session_can_call_again_after_hanging_up(voice_service: LiveServer) -> None:
    first = Caller(voice_service.url)
    assert (await first.connect()).status_code == 200
    await first.close()
    await wait_for_no_calls(voice_service)
    again = Caller(voice_service.url, session_id=first.session_id, token=first.token)
    response = await again.connect()
    await again.close()
    # The session ended with the first call: a new call needs a new session.
    assert response.status_code == 409
    assert "ended" in response.json()["error"]["message"]


async def test_twenty_offers_at_once_fill_capacity_then_busy_and_leak_nothing(
    voice_service: LiveServer,
) -> None:
    baseline = Baseline(voice_service)
    callers = [Caller(voice_service.url) for _ in range(20)]
    try:
        responses = await asyncio.gather(*(c.connect() for c in callers))
        codes = sorted(r.status_code for r in responses)
        assert codes.count(200) == VOICE_MAX_CALLS, codes
        assert codes.count(503) == 20 - VOICE_MAX_CALLS, codes
        busy = next(r for r in responses if r.status_code == 503)
        assert busy.json()["error"]["message"].startswith("busy")
        assert busy.headers["Retry-After"]
        assert calls_of(voice_service).active == VOICE_MAX_CALLS
        # (The counts the leak check relies on do see live calls.)
        assert server_task_count(voice_service) > baseline.tasks
        assert open_peer_connections() >= baseline.pcs + 2 * VOICE_MAX_CALLS
    finally:
        await asyncio.gather(*(c.close() for c in callers))
    await baseline.check()
    for c in callers:
        if c.session_id:
            assert (await session_row(voice_service, c.session_id))["ended_at"] is not None


async def test_hang_up_mid_answer_ends_the_call_cleanly(
    voice_service: LiveServer, models: SpeechModels
) -> None:
    baseline = Baseline(voice_service)
    c = Caller(voice_service.url)
    try:
        assert (await c.connect()).status_code == 200
        await wait_until_quiet(c)
        asked = await c.say(speech(models, "What did they do at Cartograph?"))
        for _ in range(300):
            if c.received.first_speech_after(asked) is not None:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        assert c.received.speaking_at(time.time() - 1.0, time.time()), "hang up while the agent talks"
    finally:
        await c.close()
    await baseline.check()
    assert c.session_id
    row = await session_row(voice_service, c.session_id)
    assert row["ended_at"] is not None
    # The question and the (cut-off) answer are both stored.
    turns = await wait_for_turns(voice_service, c.session_id, lambda ts: len(ts) >= 3)
    assert [t.role for t in turns][-2:] == ["user", "assistant"]
    assert turns[-1].latency and turns[-1].latency.get("interrupted") == 1.0


async def test_offers_are_rate_limited_per_ip(data_dir: object, models: SpeechModels) -> None:
    settings = voice_settings(data_dir, rate_limit_enabled=True, rate_limit_offers_per_ip=2)  # type: ignore[arg-type]
    with live_server(settings) as server:
        codes = [(await _post(server, {"sdp": "hello", "type": "offer"})).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


async def test_ice_candidates_patch(voice_service: LiveServer, caller: Caller) -> None:
    assert (await caller.connect()).status_code == 200
    async with httpx.AsyncClient(base_url=voice_service.url) as http:
        ok = await http.patch(
            "/api/offer",
            json={
                "pc_id": caller.pc_id,
                "candidates": [
                    {
                        "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
                        "sdp_mid": "0",
                        "sdp_mline_index": 0,
                    }
                ],
            },
        )
        assert ok.status_code == 204, ok.text
        unknown = await http.patch("/api/offer", json={"pc_id": "nope", "candidates": []})
        assert unknown.status_code == 404
        bad = await http.patch(
            "/api/offer", json={"pc_id": caller.pc_id, "candidates": [{"candidate": "candidate:garbage"}]}
        )
        assert bad.status_code == 400
