"""Room-scoped tokens and verified webhooks, against a real LiveKit server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time

import asyncpg
import httpx
import jwt
import pytest
from livekit import api, rtc

from agent.livekit_tokens import visitor_token
from bench.livekit_server import API_KEY, API_SECRET, LiveKitServer
from signaling.background_server import LiveServer


async def _create_session(service: LiveServer) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=service.url) as client:
        response = await client.post("/api/sessions")
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_session_gets_a_room_scoped_token(livekit_service: LiveServer) -> None:
    body = await _create_session(livekit_service)
    join = body["livekit"]
    assert isinstance(join, dict)
    claims = api.TokenVerifier(API_KEY, API_SECRET).verify(join["token"])
    assert claims.video is not None
    assert claims.video.room == join["room"] and claims.video.room_join
    assert not claims.video.room_admin and not claims.video.room_list and not claims.video.room_create
    expires = jwt.decode(join["token"], options={"verify_signature": False})["exp"]
    assert 0 < expires - time.time() <= 15 * 60 + 5


async def test_visitor_joins_its_room_and_nothing_else(
    livekit_service: LiveServer, livekit_server: tuple[LiveKitServer, int]
) -> None:
    server, _ = livekit_server
    body = await _create_session(livekit_service)
    join = body["livekit"]
    assert isinstance(join, dict)
    room = rtc.Room()
    await room.connect(server.url, join["token"])
    try:
        assert room.name == join["room"]
    finally:
        await room.disconnect()
    # The same token has no say over another room, not even to list who is in it.
    other = await _create_session(livekit_service)
    lk = api.LiveKitAPI(server.http_url, API_KEY, API_SECRET)
    try:
        # The visitor's token, presented as an API credential for room B, is refused.
        async with httpx.AsyncClient(base_url=server.http_url) as client:
            response = await client.post(
                "/twirp/livekit.RoomService/ListParticipants",
                json={"room": other["livekit"]["room"]},  # type: ignore[index]
                headers={"Authorization": f"Bearer {join['token']}"},
            )
        assert response.status_code in (401, 403)
    finally:
        await lk.aclose()


async def test_expired_token_is_refused_by_the_server(livekit_server: tuple[LiveKitServer, int]) -> None:
    server, _ = livekit_server
    # Expired two minutes ago: beyond the server's allowance for clock skew.
    token = visitor_token(API_KEY, API_SECRET, "web-expired", "visitor-x", ttl_s=-120)
    room = rtc.Room()
    with pytest.raises(rtc.ConnectError):
        await room.connect(server.url, token)


# What LiveKit's webhook notifier sends.
WEBHOOK = {"content-type": "application/webhook+json"}


def _signed(body: str, secret: str = API_SECRET) -> str:
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    return api.AccessToken(API_KEY, secret).with_sha256(digest).to_jwt()


async def test_forged_webhook_is_401(livekit_service: LiveServer) -> None:
    body = json.dumps({"event": "room_finished", "room": {"name": "call-x"}})
    async with httpx.AsyncClient(base_url=livekit_service.url) as client:
        unsigned = await client.post("/api/livekit/webhook", content=body, headers=WEBHOOK)
        forged = await client.post(
            "/api/livekit/webhook",
            content=body,
            headers={**WEBHOOK, "Authorization": _signed(body, "not-the-secret-at-all-0123456789")},
        )
        swapped = await client.post(
            "/api/livekit/webhook", content=body + " ", headers={**WEBHOOK, "Authorization": _signed(body)}
        )
    assert unsigned.status_code == forged.status_code == swapped.status_code == 401


async def test_sip_participant_opens_a_phone_session_once(livekit_service: LiveServer) -> None:
    event = {
        "event": "participant_joined",
        "id": "EV_1",
        "createdAt": str(int(time.time())),
        "room": {"name": "call-_15550199_abc", "sid": "RM_1"},
        "participant": {
            "sid": "PA_1",
            "identity": "sip_+15550199",
            "kind": "SIP",
            "attributes": {"sip.phoneNumber": "+15550199", "sip.trunkID": "ST_x", "sip.callID": "SCL_1"},
        },
    }
    body = json.dumps(event)
    pool = await asyncpg.create_pool(
        livekit_service.app.state.ctx.storage.database_url, min_size=1, max_size=1
    )
    try:
        async with httpx.AsyncClient(base_url=livekit_service.url) as client:
            for _ in range(2):  # delivered twice, handled once
                response = await client.post(
                    "/api/livekit/webhook", content=body, headers={**WEBHOOK, "Authorization": _signed(body)}
                )
                assert response.status_code == 200, response.text
        rows = await pool.fetch(
            "SELECT channel, caller FROM sessions WHERE caller->>'room' = $1", "call-_15550199_abc"
        )
        assert len(rows) == 1
        assert rows[0]["channel"] == "phone"
        assert json.loads(rows[0]["caller"])["number"] == "+15550199"
    finally:
        await pool.close()


async def test_room_finished_from_the_server_ends_the_session(
    livekit_service: LiveServer, livekit_server: tuple[LiveKitServer, int]
) -> None:
    server, _ = livekit_server
    body = await _create_session(livekit_service)
    room_name = body["livekit"]["room"]  # type: ignore[index]
    lk = api.LiveKitAPI(server.http_url, API_KEY, API_SECRET)
    try:
        await lk.room.delete_room(api.DeleteRoomRequest(room=room_name))
    finally:
        await lk.aclose()
    pool = await asyncpg.create_pool(
        livekit_service.app.state.ctx.storage.database_url, min_size=1, max_size=1
    )
    try:
        deadline = time.monotonic() + 20
        ended = None
        while time.monotonic() < deadline and ended is None:
            ended = await pool.fetchval(
                "SELECT ended_at FROM sessions WHERE id = $1::uuid", body["session_id"]
            )
            await asyncio.sleep(0.2)
        assert ended is not None, "the server's room_finished webhook did not end the session"
    finally:
        await pool.close()
