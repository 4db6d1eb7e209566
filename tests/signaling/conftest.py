"""Voice fixtures (for test_webrtc.py): the service on a loopback port with real models."""

from tests.voice_fixtures import *  # noqa: F403
