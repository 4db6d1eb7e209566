"""A real LiveKit server on loopback and the service configured to use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.livekit_server import API_KEY, API_SECRET, LiveKitServer, missing_reason, start_livekit
from config.settings import Settings
from pipeline.models import MODELS, SpeechModels
from signaling.background_server import LiveServer, free_port, live_server


@pytest.fixture(scope="session")
def livekit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveKitServer, int]]:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    service_port = free_port()
    server = start_livekit(
        tmp_path_factory.mktemp("livekit"), f"http://127.0.0.1:{service_port}/api/livekit/webhook"
    )
    try:
        yield server, service_port
    finally:
        server.stop()


@pytest.fixture(scope="session")
def livekit_settings(livekit_server: tuple[LiveKitServer, int], data_dir: Path) -> Settings:
    server, _ = livekit_server
    values = {
        "data_dir": data_dir,
        "rate_limit_enabled": False,
        "max_calls_per_ip": 50,  # every test's rooms come from 127.0.0.1 (test_room_caps caps it)
        "log_level": "WARNING",
        "livekit_url": server.url,
        "livekit_api_key": API_KEY,
        "livekit_api_secret": API_SECRET,
        "sip_numbers": ["+15550100"],
        "sip_allowed_addresses": ["127.0.0.1"],
        "load_threshold": 1000.0,  # a loaded test machine must not refuse calls (admission has its own tests)
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type,call-arg]


@pytest.fixture(scope="session")
def livekit_service(
    livekit_settings: Settings, livekit_server: tuple[LiveKitServer, int]
) -> Iterator[LiveServer]:
    with live_server(livekit_settings, port=livekit_server[1]) as server:
        yield server


@pytest.fixture
def make_livekit_settings(livekit_settings: Settings) -> Callable[..., Settings]:
    def _make(**overrides: object) -> Settings:
        return livekit_settings.model_copy(update=overrides)

    return _make


@pytest.fixture(scope="session")
def room_models(livekit_service: LiveServer) -> SpeechModels:
    """The speech models the LiveKit-mode service preloaded (one copy per process)."""
    assert MODELS.loaded is not None
    return MODELS.loaded
