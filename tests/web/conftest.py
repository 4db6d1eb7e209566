"""Voice fixtures: the service on a loopback port with real models, Piper-made speech; a page."""

from collections.abc import AsyncIterator

import pytest

from tests.voice_fixtures import *  # noqa: F403
from tests.web.browser import Browser


@pytest.fixture
async def page() -> AsyncIterator[Browser]:
    """A headless Chromium page without a microphone file."""
    b = Browser()
    await b.start()
    try:
        yield b
    finally:
        await b.close()
