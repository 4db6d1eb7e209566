"""S3 over HTTP (moto_server) for the audio store tests."""

from tests.s3_fixtures import *  # noqa: F403
