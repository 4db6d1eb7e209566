"""An owner key exempts from the per-IP limit only once verified; a made-up or revoked key is 401."""

from __future__ import annotations

from collections.abc import Callable

from config.settings import Settings
from signaling.context import AppContext
from signaling.security.owner_keys import OwnerKeyCache
from storage.api_keys import create_key, revoke_key
from tests.conftest import running_app


async def _clear_limits(ctx: AppContext) -> None:
    keys = [k async for k in ctx.storage.redis.scan_iter("rl:*")]
    if keys:
        await ctx.storage.redis.delete(*keys)


async def test_a_made_up_key_neither_skips_the_ip_limit_nor_gets_answers(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(rate_limit_enabled=True, rate_limit_per_ip=5, rate_limit_window_s=30)
    async with running_app(settings) as (app, client):
        ctx: AppContext = app.state.ctx
        await _clear_limits(ctx)
        sessions_before = await ctx.storage.pool.fetchval("SELECT count(*) FROM sessions")
        fake = {"Authorization": "Bearer ra_madeup"}
        codes = [
            (await client.post("/api/query", json={"text": "hi"}, headers=fake)).status_code for _ in range(8)
        ]
        # Each is refused as unknown; past the per-IP budget, the refusals themselves are limited.
        assert codes == [401] * 5 + [429] * 3, codes
        assert await ctx.storage.pool.fetchval("SELECT count(*) FROM sessions") == sessions_before
        well_formed = {"Authorization": "Bearer ra_" + "x" * 43}
        await _clear_limits(ctx)
        response = await client.post("/api/sessions", headers=well_formed)
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "invalid or revoked API key"
        assert response.headers["www-authenticate"] == "Bearer"


async def test_a_verified_key_is_limited_per_key_not_per_ip(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        rate_limit_enabled=True, rate_limit_per_ip=2, rate_limit_per_key=6, rate_limit_window_s=30
    )
    async with running_app(settings) as (app, client):
        ctx: AppContext = app.state.ctx
        await _clear_limits(ctx)
        key = await create_key(ctx.storage.pool, ctx.owner_id, "limits")
        auth = {"X-Api-Key": key}
        codes = [(await client.post("/api/sessions", headers=auth)).status_code for _ in range(7)]
        assert codes == [201] * 6 + [429]
        # The IP's own budget was not spent by the keyed requests.
        assert [(await client.post("/api/sessions")).status_code for _ in range(3)] == [201, 201, 429]


async def test_a_revoked_key_is_refused_once_the_cache_expires(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(owner_key_cache_s=0)  # no caching: revocation is immediate
    async with running_app(settings) as (app, client):
        ctx: AppContext = app.state.ctx
        key = await create_key(ctx.storage.pool, ctx.owner_id, "revoked")
        auth = {"Authorization": f"Bearer {key}"}
        assert (await client.post("/api/sessions", headers=auth)).status_code == 201
        assert await revoke_key(ctx.storage.pool, key[:11])
        for method, path in [("POST", "/api/sessions"), ("POST", "/api/query"), ("PUT", "/api/resume")]:
            response = await client.request(method, path, headers=auth, json={"text": "hi"})
            assert response.status_code == 401, (path, response.text)


async def test_the_cache_reuses_verdicts_briefly_and_stays_bounded(ctx: AppContext) -> None:
    key = await create_key(ctx.storage.pool, ctx.owner_id, "cache")
    cache = OwnerKeyCache(ctx.storage.pool, ttl_s=60, max_entries=3)
    first = await cache.verify(key)
    assert first is not None and first.prefix == key[:11]
    await revoke_key(ctx.storage.pool, key[:11])
    assert await cache.verify(key) == first  # within the TTL: no database round trip
    for i in range(10):
        assert await cache.verify(f"ra_unknown-{i:040d}") is None
    assert len(cache) == 3  # a flood of made-up keys cannot grow memory
    assert await cache.verify(key) is None  # evicted, so looked up again: revoked now
    fresh = OwnerKeyCache(ctx.storage.pool, ttl_s=0)
    assert await fresh.verify(key) is None and len(fresh) == 0
