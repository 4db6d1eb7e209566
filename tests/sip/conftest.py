"""SIP tests: the service with its own SIP endpoint on loopback, real models, sipp as the caller.

PJSIP is one library instance per process, so one SIP service serves the whole session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.sip.endpoint import SipEndpoint
from signaling.background_server import LiveServer, live_server
from tests.sip.sipp import free_port, free_sip_port
from tests.voice_fixtures import *  # noqa: F403
from tests.voice_fixtures import voice_settings

RTP_TIMEOUT_S = 4.0


@pytest.fixture(scope="session")
def sip_service(data_dir: Path) -> Iterator[LiveServer]:
    rtp_start = free_port() & ~1  # RTP takes even ports, RTCP the next one
    settings = voice_settings(
        data_dir,
        sip_port=free_sip_port(),
        sip_host="127.0.0.1",
        sip_allowed_addresses=["127.0.0.1/32"],
        sip_rtp_port_start=rtp_start,
        sip_rtp_port_range=200,
        # Short, so the vanished-caller test is quick; sipp's own calls here last under 2 s.
        sip_rtp_timeout_s=RTP_TIMEOUT_S,
    )
    with live_server(settings) as server:
        yield server


def sip_target(server: LiveServer) -> str:
    port = server.app.state.ctx.settings.sip_port
    return f"127.0.0.1:{port}"


def endpoint_of(server: LiveServer) -> SipEndpoint:
    endpoint: SipEndpoint = server.app.state.sip
    return endpoint
