"""SIP signalling against the agent's own endpoint, with sipp as the caller: a standard call
completes, and every INVITE the agent must not take gets its status code."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from agent.sip.auth import TrunkAuth
from signaling.background_server import LiveServer
from tests.sip.conftest import endpoint_of, sip_target
from tests.sip.sipp import run_sipp, scenario
from tests.voice_fixtures import calls_of, wait_for_no_calls

PCMU = {"sdp_media": "m=audio [media_port] RTP/AVP 0", "sdp_attributes": "a=rtpmap:0 PCMU/8000"}


async def sip_sessions(server: LiveServer) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(server.app.state.ctx.storage.database_url)
    try:
        return list(await conn.fetch("SELECT * FROM sessions WHERE channel = 'sip' ORDER BY started_at"))
    finally:
        await conn.close()


async def test_sipp_standard_caller_completes(sip_service: LiveServer, tmp_path: Path) -> None:
    before = len(await sip_sessions(sip_service))
    run = await run_sipp(sip_target(sip_service), tmp_path, "-d", "1500")
    assert run.returncode == 0, run.stdout[-2000:] + run.errors
    await wait_for_no_calls(sip_service)
    sessions = await sip_sessions(sip_service)
    assert len(sessions) == before + 1
    session = sessions[-1]
    assert session["ended_at"] is not None  # the caller's BYE ended the session
    assert '"number": "sipp"' in session["caller"] and '"provider": "sip"' in session["caller"]


async def test_sipp_over_tcp_completes(sip_service: LiveServer, tmp_path: Path) -> None:
    run = await run_sipp(sip_target(sip_service), tmp_path, "-t", "t1", "-d", "500")
    assert run.returncode == 0, run.stdout[-2000:] + run.errors
    await wait_for_no_calls(sip_service)


@pytest.mark.parametrize(
    ("status", "sdp"),
    [
        (488, {"sdp_media": "m=audio [media_port] RTP/AVP 9", "sdp_attributes": "a=rtpmap:9 G722/8000"}),
        (400, {"sdp_media": "m=audio notaport RTP/AVP 0", "sdp_attributes": "a=rtpmap:zero"}),
    ],
    ids=["wrong-codec-488", "malformed-sdp-400"],
)
async def test_bad_offer_gets_its_status(
    sip_service: LiveServer, tmp_path: Path, status: int, sdp: dict[str, str]
) -> None:
    before = len(await sip_sessions(sip_service))
    refused = scenario("refused.xml", tmp_path, status=status, **sdp)
    run = await run_sipp(sip_target(sip_service), tmp_path, scenario_file=refused)
    assert run.returncode == 0, run.stdout[-2000:] + run.errors
    assert len(await sip_sessions(sip_service)) == before  # no session for a refused call


async def test_address_outside_the_allow_list_gets_403(sip_service: LiveServer, tmp_path: Path) -> None:
    refused = scenario("refused.xml", tmp_path, status=403, **PCMU)
    run = await run_sipp(sip_target(sip_service), tmp_path, scenario_file=refused, local_ip="127.0.0.2")
    assert run.returncode == 0, run.stdout[-2000:] + run.errors


async def test_full_process_answers_486(sip_service: LiveServer, tmp_path: Path) -> None:
    calls = calls_of(sip_service)
    calls.max_calls, saved = 0, calls.max_calls
    try:
        refused = scenario("refused.xml", tmp_path, status=486, **PCMU)
        run = await run_sipp(sip_target(sip_service), tmp_path, scenario_file=refused)
    finally:
        calls.max_calls = saved
    assert run.returncode == 0, run.stdout[-2000:] + run.errors


@pytest.fixture
def digest_trunk(sip_service: LiveServer) -> Iterator[None]:
    endpoint = endpoint_of(sip_service)
    saved = endpoint.auth
    endpoint.auth = TrunkAuth(["127.0.0.1/32"], "trunk-user", "trunk-pass-123", hashlib.sha256(b"t").digest())
    try:
        yield
    finally:
        endpoint.auth = saved


async def test_digest_credentials_are_challenged_and_checked(
    sip_service: LiveServer, digest_trunk: None, tmp_path: Path
) -> None:
    target = sip_target(sip_service)
    # No credentials: a 401 challenge, no call.
    refused = scenario("refused.xml", tmp_path, status=401, **PCMU)
    run = await run_sipp(target, tmp_path, scenario_file=refused)
    assert run.returncode == 0, run.stdout[-2000:] + run.errors
    # The right credentials: answered.
    digest = scenario("digest.xml", tmp_path)
    run = await run_sipp(target, tmp_path, "-au", "trunk-user", "-ap", "trunk-pass-123", scenario_file=digest)
    assert run.returncode == 0, run.stdout[-2000:] + run.errors
    await wait_for_no_calls(sip_service)
    # A wrong password: challenged again instead of answered.
    wrong = scenario("digest_wrong.xml", tmp_path)
    run = await run_sipp(target, tmp_path, "-au", "trunk-user", "-ap", "guess", scenario_file=wrong)
    assert run.returncode == 0, run.stdout[-2000:] + run.errors
