"""Voice fixtures: the service on a loopback port with real models, Piper-made speech."""

from tests.voice_fixtures import *  # noqa: F403
