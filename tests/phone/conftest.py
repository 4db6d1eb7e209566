"""Phone tests: the service with a media-stream secret, on a loopback port, with real models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from signaling.background_server import LiveServer, live_server
from tests.voice_fixtures import *  # noqa: F403
from tests.voice_fixtures import voice_settings

PHONE_SECRET = "phone-secret-for-tests-0123456789"


@pytest.fixture(scope="session")
def phone_service(data_dir: Path) -> Iterator[LiveServer]:
    with live_server(voice_settings(data_dir, phone_stream_secret=PHONE_SECRET)) as server:
        yield server
