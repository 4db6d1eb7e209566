"""No secret reaches the log: every route is called with every configured secret, and the captured
log (ours, uvicorn's access and WebSocket lines, Pipecat's, the LLM client's, at DEBUG) is grepped.

The service runs as deployed: real uvicorn on loopback, logging set up by `configure_logging`,
and uvicorn's access log switched on as well (serve keeps it off) to prove it would be scrubbed.
The LLM is a local stand-in of the OpenAI API (this machine cannot reach Groq), so the API key
really is sent, in a request the client logs at DEBUG.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import asyncpg
import httpx
import pytest
import websockets
from livekit import api

from pipeline.logs import route_pipecat_logs
from pipeline.models import SpeechModels
from signaling.background_server import LiveServer, live_server
from signaling.logs import configure_logging
from storage.api_keys import create_key
from tests.standins.openai_server import OpenAIStandIn, fail, reply
from tests.voice_fixtures import voice_settings, wait_for_no_calls
from tools.resume_model import sample_resume_json

SECRET_SETTINGS = (
    "secret_key",
    "groq_api_key",
    "openai_api_key",
    "ice_credential",
    "livekit_api_secret",
    "phone_stream_secret",
    "sip_auth_password",
    "s3_secret_access_key",
)
JSON = {"content-type": "application/json"}


def recognisable(name: str) -> str:
    return f"S3cr3t-{name.replace('_', '-')}-{uuid.uuid4().hex}"


@pytest.fixture
def standin() -> Iterator[OpenAIStandIn]:
    server = OpenAIStandIn().start()
    server.script += [reply(lambda _: "Rust, at Cartograph."), fail(500)] * 10
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def captured_log(standin: OpenAIStandIn) -> Iterator[io.StringIO]:
    """The service's logging as `resume-agent serve` sets it up, at DEBUG, into a buffer (after the
    stand-in's own uvicorn has configured its loggers, which would otherwise silence uvicorn's)."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    named = {n: logging.getLogger(n) for n in ("uvicorn", "uvicorn.error", "uvicorn.access")}
    saved_named = {n: (lg.handlers[:], lg.propagate, lg.disabled, lg.level) for n, lg in named.items()}
    buffer = io.StringIO()
    configure_logging("DEBUG", stream=buffer)
    named["uvicorn.access"].disabled = False
    named["uvicorn.access"].propagate = True
    named["uvicorn.access"].handlers[:] = []
    named["uvicorn.access"].setLevel(logging.NOTSET)
    try:
        yield buffer
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for n, (handlers, propagate, disabled, lvl) in saved_named.items():
            lg = named[n]
            lg.handlers[:], lg.propagate, lg.disabled = handlers, propagate, disabled
            lg.setLevel(lvl)
        route_pipecat_logs("WARNING")


def _signed_webhook(body: str, key: str, secret: str) -> str:
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    return str(api.AccessToken(key, secret).with_sha256(digest).to_jwt())


def _requests(
    paths: dict[str, Any], secret: str, session_id: str
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each operation, carrying `secret` in every place a credential can travel."""
    query = f"?secret={quote(secret)}&token={quote_plus(secret)}&key={secret}"
    for template, operations in paths.items():
        path = template.replace("{session_id}", session_id)
        for method in operations:
            body = {"text": f"what about {secret}?", "sdp": secret, "pc_id": secret, "candidates": []}
            yield (
                method.upper(),
                path + query,
                {
                    "headers": {**JSON, "Authorization": f"Bearer {secret}", "X-Api-Key": secret},
                    "content": json.dumps(body) if method.upper() in ("POST", "PUT", "PATCH") else None,
                },
            )


async def _websockets(server: LiveServer, secret: str) -> None:
    base = server.url.replace("http://", "ws://")
    for provider in ("twilio", "telnyx"):
        for url, headers in (
            (f"{base}/api/phone/{provider}/stream?secret={quote(secret)}", None),
            (f"{base}/api/phone/{provider}/stream", {"X-Phone-Stream-Secret": secret}),
            (f"{base}/api/phone/{provider}/stream", {"Authorization": f"Bearer {secret}"}),
        ):
            try:
                async with websockets.connect(url, additional_headers=headers, open_timeout=10) as ws:
                    await ws.send(
                        json.dumps({"event": "start", "start": {"customParameters": {"secret": secret}}})
                    )
            except websockets.exceptions.WebSocketException:
                pass  # refused at the handshake: what a wrong secret gets
    await wait_for_no_calls(server)  # (the phone secret itself opened calls, hung up at once)


async def _real_phone_call(server: LiveServer, phone_secret: str) -> None:
    url = server.url.replace("http://", "ws://") + f"/api/phone/telnyx/stream?secret={quote(phone_secret)}"
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"event": "connected"}))
        start = {"call_control_id": "v3:call", "from": "+15550181", "media_format": {"encoding": "PCMU"}}
        await ws.send(json.dumps({"event": "start", "stream_id": "st-1", "start": start}))
        await asyncio.wait_for(ws.recv(), 30)  # the greeting's first audio: the call is up
    await wait_for_no_calls(server)


async def test_no_configured_secret_appears_in_any_log_line(
    standin: OpenAIStandIn, captured_log: io.StringIO, tmp_path: Path, models: SpeechModels
) -> None:
    secrets = {name: recognisable(name) for name in SECRET_SETTINGS}
    settings = voice_settings(
        tmp_path,
        log_level="DEBUG",
        llm_base_url=standin.base_url,
        ice_servers=["turn:127.0.0.1:3478"],
        ice_username="turn-user",
        livekit_api_key="lk-key",
        voice_preload=False,
        **secrets,
    )
    used = list(secrets.values())
    with live_server(settings, access_log=True) as server:
        ctx = server.app.state.ctx
        conn = await asyncpg.connect(ctx.storage.database_url)
        try:
            owner_key = await create_key(conn, ctx.owner_id, "logs")
        finally:
            await conn.close()
        used.append(owner_key)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            # The secrets doing their real jobs: a session, LLM-backed answers with their tokens,
            # an owner-key upload, a signed webhook, the TURN credential handed to a browser.
            created = (await http.post("/api/sessions")).json()
            first = (await http.post("/api/query", json={"text": "Which projects used Rust?"})).json()
            follow = {"text": "And where?", "session_id": first["session_id"]}
            auth = {"Authorization": f"Bearer {first['session_token']}"}
            second = (await http.post("/api/query", json=follow, headers=auth)).json()
            used += [created["session_token"], first["session_token"], second["session_token"]]
            owner = {**JSON, "Authorization": f"Bearer {owner_key}"}
            assert (
                await http.put("/api/resume", content=sample_resume_json(), headers=owner)
            ).status_code == 200
            history = f"/api/sessions/{first['session_id']}/history"
            assert (await http.get(history, headers={"X-Api-Key": owner_key})).status_code == 200
            body = json.dumps({"event": "room_finished", "room": {"name": "call-logs"}})
            signed = _signed_webhook(body, "lk-key", secrets["livekit_api_secret"])
            used.append(signed)
            webhook = {"content-type": "application/webhook+json", "Authorization": signed}
            assert (await http.post("/api/livekit/webhook", content=body, headers=webhook)).status_code == 200
            assert (await http.get("/api/ice-servers")).json()[0]["credential"] == secrets["ice_credential"]
            # Then every operation with every secret in every place.
            paths = server.app.openapi()["paths"]
            for secret in used:
                for method, path, kwargs in _requests(paths, secret, first["session_id"]):
                    response = await http.request(method, path, **kwargs)
                    assert response.status_code < 500, (method, path, response.text)
        for secret in used:
            await _websockets(server, secret)
        await _real_phone_call(server, secrets["phone_stream_secret"])

    log = captured_log.getvalue()
    # The capture did see what could leak: uvicorn's lines with query strings, the LLM client.
    assert '"WebSocket /api/phone/telnyx/stream?secret=[redacted]' in log
    assert "/api/ice-servers?secret=[redacted]&token=[redacted]&key=[redacted]" in log
    assert "openai" in log and '"logger": "resume_agent.access"' in log
    leaks = [
        (secret[:24], form)
        for secret in used
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}
        if form in log
    ]
    assert leaks == [], f"secrets in the log: {leaks}"
