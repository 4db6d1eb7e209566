"""Sliding-window limits per IP and per owner key, with Retry-After."""

from __future__ import annotations

from collections.abc import Callable

from config.settings import Settings
from storage.api_keys import create_key
from tests.conftest import running_app


async def test_ip_limit_then_key_limit(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        rate_limit_enabled=True, rate_limit_per_ip=3, rate_limit_per_key=5, rate_limit_window_s=30
    )
    async with running_app(settings) as (app, client):
        ctx = app.state.ctx
        await ctx.storage.redis.delete(*[k async for k in ctx.storage.redis.scan_iter("rl:*")] or ["rl:none"])
        codes = [(await client.post("/api/sessions")).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        refused = await client.post("/api/query", json={"text": "hi"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 30
        assert refused.json()["error"]["code"] == "too_many_requests"

        # An owner key has its own, higher limit, unaffected by the exhausted IP.
        key = await create_key(ctx.storage.pool, ctx.owner_id, "rl")
        auth = {"Authorization": f"Bearer {key}"}
        statuses = [(await client.put("/api/resume", json={}, headers=auth)).status_code for _ in range(6)]
        assert statuses[:5] == [422] * 5 and statuses[5] == 429
        metrics = (await client.get("/metrics")).text
        assert 'resume_agent_rate_limited_total{scope="ip"}' in metrics


async def test_limits_can_be_switched_off(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(rate_limit_enabled=False, rate_limit_per_ip=1)
    async with running_app(settings) as (_, client):
        assert [(await client.post("/api/sessions")).status_code for _ in range(5)] == [201] * 5
