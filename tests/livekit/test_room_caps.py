"""MAX_CALLS_PER_IP holds in LiveKit mode too: live rooms per client IP, counted in Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from redis.asyncio import Redis

from signaling.background_server import LiveServer
from tests.livekit.test_tokens_and_webhooks import WEBHOOK, _signed


@pytest.fixture
def capped_service(livekit_service: LiveServer) -> Iterator[LiveServer]:
    """The shared LiveKit-mode service with MAX_CALLS_PER_IP=2 for one test, its count cleared."""
    ctx = livekit_service.app.state.ctx
    settings = ctx.settings
    ctx.settings = settings.model_copy(update={"max_calls_per_ip": 2})
    try:
        yield livekit_service
    finally:
        ctx.settings = settings


async def test_a_third_room_from_one_ip_is_429_until_one_finishes(capped_service: LiveServer) -> None:
    # Other tests' rooms from 127.0.0.1 count against the same IP: start from none (with a client
    # of our own: the service's belongs to its event loop).
    kwargs = capped_service.app.state.ctx.storage.redis.connection_pool.connection_kwargs
    own = Redis(unix_socket_path=kwargs["path"]) if "path" in kwargs else Redis(**kwargs)
    try:
        await own.delete("caps:rooms:127.0.0.1")
    finally:
        await own.aclose()
    async with httpx.AsyncClient(base_url=capped_service.url) as client:
        rooms = []
        for _ in range(2):
            created = await client.post("/api/sessions")
            assert created.status_code == 201, created.text
            rooms.append(created.json()["livekit"]["room"])
        refused = await client.post("/api/sessions")
        assert refused.status_code == 429
        assert "2 calls in progress" in refused.json()["error"]["message"]
        assert refused.headers["retry-after"] == "30"

        body = json.dumps({"event": "room_finished", "room": {"name": rooms[0]}})
        finished = await client.post(
            "/api/livekit/webhook", content=body, headers={**WEBHOOK, "Authorization": _signed(body)}
        )
        assert finished.status_code == 200, finished.text
        again = await client.post("/api/sessions")
        assert again.status_code == 201, again.text
