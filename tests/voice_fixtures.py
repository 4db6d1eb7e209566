"""Fixtures for voice tests: the real service on a loopback port, spoken audio made with Piper,
and ways to look inside the server (its database, its event loop's tasks, open peer connections).

Import into a test folder's conftest with `from tests.voice_fixtures import *`.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from agent.calls import CallManager
from config.settings import Settings
from pipeline.models import MODELS, SpeechModels
from signaling.background_server import LiveServer, live_server
from storage.conversations import Turn, history
from tests.caller import Caller, poll

T = TypeVar("T")

VOICE_MAX_CALLS = 4
TEST_LOAD_THRESHOLD = 1000.0


def voice_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "rate_limit_enabled": False,
        "log_level": "WARNING",
        "max_calls": VOICE_MAX_CALLS,
        # Every test caller is 127.0.0.1: per-IP caps have tests of their own (test_call_caps.py).
        "max_calls_per_ip": 64,
        "max_offers_in_flight_per_ip": 32,
        # The suite runs on a loaded 2-core machine: measured load must not refuse test calls.
        # Admission has tests of its own (tests/agent/test_admission.py) that set it low.
        "load_threshold": TEST_LOAD_THRESHOLD,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type,call-arg]


@pytest.fixture(scope="session")
def voice_service(data_dir: Path) -> Iterator[LiveServer]:
    with live_server(voice_settings(data_dir)) as server:
        yield server


@pytest.fixture(scope="session")
def models(voice_service: LiveServer) -> SpeechModels:
    loaded = MODELS.loaded
    assert loaded is not None, "the service preloads the models at start-up"
    return loaded


def calls_of(server: LiveServer) -> CallManager:
    calls: CallManager = server.app.state.ctx.calls
    return calls


async def on_server_loop(server: LiveServer, coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the server's event loop (its storage, supervisor and calls live there)."""
    future = asyncio.run_coroutine_threadsafe(coro, calls_of(server).loop)
    return await asyncio.wrap_future(future)


def is_answer(message: dict[str, Any]) -> bool:
    """The agent's answer to a question (not the greeting or a filler): it names its source."""
    return message.get("type") == "transcript" and message.get("role") == "assistant" and "source" in message


def speech(models: SpeechModels, text: str, gain: float = 0.7) -> np.ndarray:
    """Piper speaking `text`: mono int16 at 48 kHz, the caller's microphone rate."""
    voice = models.piper
    audio = np.concatenate([chunk.audio_float_array for chunk in voice.synthesize(text)])
    n = int(len(audio) * 48000 / voice.config.sample_rate)
    resampled = np.interp(np.linspace(0, len(audio), n, endpoint=False), np.arange(len(audio)), audio)
    return (resampled / max(1e-6, float(np.abs(resampled).max())) * gain * 32767).astype(np.int16)


def click(duration_s: float = 0.15, gain: float = 0.8) -> np.ndarray:
    """A sharp broadband click/knock: decaying noise burst, 48 kHz int16."""
    n = int(48000 * duration_s)
    rng = np.random.default_rng(7)
    burst = rng.standard_normal(n) * np.exp(-np.arange(n) / (n / 4))
    return (burst / np.abs(burst).max() * gain * 32767).astype(np.int16)


def to_16k(pcm48k: np.ndarray) -> bytes:
    """48 kHz to 16 kHz by averaging each 3 samples (a crude but adequate low-pass)."""
    usable = pcm48k[: len(pcm48k) - len(pcm48k) % 3]
    return usable.reshape(-1, 3).mean(axis=1).astype(np.int16).tobytes()


async def wait_until_quiet(
    caller: Caller, quiet_s: float = 1.0, timeout_s: float = 60.0, after: float = 0.0
) -> None:
    """Wait until the agent has said something (after `after`) and then been silent for `quiet_s`."""
    await caller.wait_quiet(after=after, quiet_s=quiet_s, timeout_s=timeout_s)


@pytest.fixture
async def caller(voice_service: LiveServer) -> AsyncIterator[Caller]:
    c = Caller(voice_service.url)
    try:
        yield c
    finally:
        await c.close()
        await wait_for_no_calls(voice_service)


async def wait_for_no_calls(server: LiveServer, timeout_s: float = 30.0) -> None:
    await poll(lambda: calls_of(server).active == 0, timeout_s, "calls still running", interval_s=0.1)


async def turns_of(server: LiveServer, session_id: str) -> list[Turn]:
    conn = await asyncpg.connect(server.app.state.ctx.storage.database_url)
    try:
        return await history(conn, uuid.UUID(session_id))
    finally:
        await conn.close()


async def session_row(server: LiveServer, session_id: str) -> asyncpg.Record:
    conn = await asyncpg.connect(server.app.state.ctx.storage.database_url)
    try:
        row = await conn.fetchrow("SELECT * FROM sessions WHERE id = $1", uuid.UUID(session_id))
        assert row is not None
        return row
    finally:
        await conn.close()


async def wait_for_turns(
    server: LiveServer, session_id: str, predicate: object, timeout_s: float = 30.0
) -> list[Turn]:
    deadline = time.time() + timeout_s
    while True:
        turns = await turns_of(server, session_id)
        if predicate(turns):  # type: ignore[operator]
            return turns
        if time.time() > deadline:
            raise AssertionError(f"turns never matched: {[(t.role, t.text) for t in turns]}")
        await asyncio.sleep(0.2)


def server_task_count(server: LiveServer) -> int:
    """Tasks alive on the server's event loop (asked on that loop, so the count is exact)."""
    loop = calls_of(server).loop

    async def count() -> int:
        return len(asyncio.all_tasks())

    return asyncio.run_coroutine_threadsafe(count(), loop).result(timeout=10)


def open_peer_connections() -> int:
    """aiortc peer connections in this process that are not closed (client and server side)."""
    gc.collect()
    return sum(
        1 for o in gc.get_objects() if isinstance(o, RTCPeerConnection) and o.connectionState != "closed"
    )


def live_peer_connections() -> int:
    """aiortc peer connection objects still in memory at all."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, RTCPeerConnection))


def thread_count() -> int:
    return threading.active_count()


class Baseline:
    """Tasks on the server loop and open peer connections, before and after."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.tasks = server_task_count(server)
        self.pcs = open_peer_connections()

    async def check(self, timeout_s: float = 30.0) -> None:
        await wait_for_no_calls(self.server)
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            tasks, pcs = server_task_count(self.server), open_peer_connections()
            if tasks <= self.tasks and pcs <= self.pcs:
                return
            await asyncio.sleep(0.25)
        raise AssertionError(
            f"leak: tasks {self.tasks} -> {tasks}, open peer connections {self.pcs} -> {pcs}"
        )


async def real_offer() -> str:
    """A browser-like SDP offer (audio and a data channel) from an aiortc peer, which then goes."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        pc.addTransceiver("audio", direction="sendrecv")
        pc.createDataChannel("messages")
        await pc.setLocalDescription(await pc.createOffer())
        return str(pc.localDescription.sdp)
    finally:
        await pc.close()
