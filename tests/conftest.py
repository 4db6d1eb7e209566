"""Shared fixtures: real Postgres and Redis (embedded under a temp DATA_DIR, or DATABASE_URL/REDIS_URL)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from config.settings import Settings
from signaling.app import create_app
from signaling.context import AppContext
from storage.api_keys import create_key


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def make_settings(data_dir: Path) -> Callable[..., Settings]:
    def _make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": data_dir,
            "rate_limit_enabled": False,
            "log_level": "WARNING",
            "load_threshold": 1000.0,  # the test machine is loaded; admission has its own tests
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return _make


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app with its lifespan (storage up), and an HTTP client speaking to it in-process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


@pytest.fixture(scope="session")
async def app_and_client(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running_app(make_settings()) as pair:
        yield pair


@pytest.fixture(scope="session")
def client(app_and_client: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return app_and_client[1]


@pytest.fixture(scope="session")
def ctx(app_and_client: tuple[FastAPI, httpx.AsyncClient]) -> AppContext:
    context: AppContext = app_and_client[0].state.ctx
    return context


@pytest.fixture
async def owner_key(ctx: AppContext) -> str:
    return await create_key(ctx.storage.pool, ctx.owner_id, "test")
