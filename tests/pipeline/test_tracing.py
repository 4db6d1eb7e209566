"""Traces over OTLP: the service started with OTEL_EXPORTER_OTLP_ENDPOINT sends a `conversation`
span per call (named by its session id), a `turn` span per exchange beneath it, and a `query`
span per typed question, to a local OTLP/HTTP receiver."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipeline.models import SpeechModels
from signaling.background_server import free_port
from tests.call_helpers import ask_out_loud
from tests.standins.otlp_receiver import OTLPReceiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def receiver() -> Iterator[OTLPReceiver]:
    r = OTLPReceiver().start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def traced_service(receiver: OTLPReceiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path_factory.mktemp("traced")),
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_SERVICE_NAME": "resume-agent-test",
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "MAX_CALLS": "2",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the traced service did not start")
            time.sleep(0.5)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)  # a clean stop flushes the spans still buffered
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _spans(receiver: OTLPReceiver, name: str, predicate: object, timeout_s: float = 30.0) -> list:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout_s
    while True:
        found = [s for s in receiver.named(name) if predicate(s)]  # type: ignore[operator]
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no {name} span; got {sorted({s.name for s in receiver.spans})}")
        await asyncio.sleep(0.2)


async def test_calls_turns_and_typed_questions_are_traced(
    traced_service: str, receiver: OTLPReceiver, models: SpeechModels
) -> None:
    async with httpx.AsyncClient() as client:
        typed = (
            await client.post(traced_service + "/api/query", json={"text": "Where did Jordan study?"})
        ).json()
    query = (
        await _spans(receiver, "query", lambda s: s.attributes.get("session.id") == typed["session_id"])
    )[0]
    assert query.service == "resume-agent-test" and query.attributes["answer.source"] == "engine"

    session_id = await ask_out_loud(traced_service, models, "Which projects used Rust?")
    conversation = (
        await _spans(receiver, "conversation", lambda s: s.attributes.get("conversation.id") == session_id)
    )[0]
    turns = await _spans(receiver, "turn", lambda s: s.trace_id == conversation.trace_id)
    assert all(t.parent_id == conversation.span_id for t in turns)
    assert all(t.attributes.get("conversation.id") == session_id for t in turns)
    assert any(t.attributes.get("turn.user_bot_latency_seconds", 0) > 0 for t in turns)
