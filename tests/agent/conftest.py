"""Voice fixtures: the service on a loopback port with real models, Piper-made speech;
moto_server for recordings on S3."""

from tests.s3_fixtures import *  # noqa: F403
from tests.voice_fixtures import *  # noqa: F403
