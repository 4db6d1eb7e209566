"""Two `resume-agent worker` processes on a real livekit-server: a worker at capacity leaves a
room to the other; the worker serving a visitor is killed with SIGKILL, the other takes the
room over, says so, and answers the next question; the history is intact, no job is left pending.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from bench.livekit_server import API_KEY, API_SECRET, LiveKitServer
from bench.livekit_visitor import Visitor
from config.settings import Settings
from pipeline.models import MODELS
from signaling.background_server import LiveServer, live_server
from signaling.room_jobs import phrases
from storage.embedded import socket_path
from storage.jobs import pending
from tests.voice_fixtures import session_row, speech, wait_for_turns

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(600)


class Worker:
    """A `resume-agent worker` process; `ready` is set once it takes jobs."""

    def __init__(self, data_dir: Path, livekit_url: str) -> None:
        env = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            "LIVEKIT_URL": livekit_url,
            "LIVEKIT_API_KEY": API_KEY,
            "LIVEKIT_API_SECRET": API_SECRET,
            "MAX_CALLS": "1",
            "LOG_LEVEL": "WARNING",
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            env.pop(name, None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker", "--drain", "5"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.ready = threading.Event()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            if "taking up to" in line:
                self.ready.set()

    def owns(self, worker_name: str | None) -> bool:
        return bool(worker_name) and f"{socket.gethostname()}-{self.proc.pid}-" in f"{worker_name}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@contextmanager
def workers(data_dir: Path, livekit_url: str, count: int) -> Iterator[list[Worker]]:
    started = [Worker(data_dir, livekit_url) for _ in range(count)]
    try:
        for w in started:
            assert w.ready.wait(240), "".join(w.log)[-3000:]
        yield started
    finally:
        for w in started:
            w.stop()


async def _until(predicate: object, timeout_s: float, what: str) -> float:
    """Wait (async predicate) and return when it held."""
    deadline = time.monotonic() + timeout_s
    while True:
        if await predicate():  # type: ignore[operator]
            return time.monotonic()
        if time.monotonic() > deadline:
            raise AssertionError(what)
        await asyncio.sleep(0.05)


async def _worker_of(service: LiveServer, session_id: str) -> str | None:
    return (await session_row(service, session_id))["worker"]  # type: ignore[no-any-return]


async def _open_room(service: LiveServer, livekit: LiveKitServer) -> tuple[str, Visitor]:
    async with httpx.AsyncClient(base_url=service.url) as client:
        created = (await client.post("/api/sessions")).json()
    visitor = Visitor()
    await visitor.join(livekit.url, created["livekit"]["token"])
    return created["session_id"], visitor


async def test_a_killed_workers_room_is_taken_over_by_the_other(
    livekit_server: tuple[LiveKitServer, int], livekit_settings: Settings, tmp_path: Path
) -> None:
    livekit = livekit_server[0]
    # Its own data (Postgres, Redis, job stream), and no agents in the service: the workers run them.
    settings = livekit_settings.model_copy(update={"data_dir": tmp_path, "agent_in_process": False})
    with live_server(settings) as service, workers(tmp_path, livekit.url, 2) as (a, b):
        models = MODELS.loaded
        assert models is not None
        # Our own client on this test's loop, to the Redis the service and workers share.
        redis = Redis(unix_socket_path=str(socket_path((tmp_path / "redis").resolve())))
        first, visitor = await _open_room(service, livekit)
        second: Visitor | None = None
        try:
            await visitor.wait_quiet(after=0.0)  # greeted by one worker
            serving = a if a.owns(await _worker_of(service, first)) else b
            other = b if serving is a else a
            assert serving.owns(await _worker_of(service, first))

            # A worker at capacity (MAX_CALLS=1) does not claim: the second room goes to the other.
            room2, second = await _open_room(service, livekit)
            await second.wait_quiet(after=0.0)
            assert other.owns(await _worker_of(service, room2))
            await second.leave()
            second = None
            await _until(lambda: _ended(service, room2), 60, "the second room never ended")

            asked = await visitor.say(speech(models, "Which projects used Rust?"))
            await visitor.wait_quiet(after=asked)
            await wait_for_turns(
                service, first, lambda ts: any(t.role == "assistant" and "jitterbuf" in t.text for t in ts)
            )

            killed_at, killed_wall = time.monotonic(), time.time()  # the visitor times by wall clock
            serving.proc.send_signal(signal.SIGKILL)
            serving.proc.wait(10)
            claimed_at = await _until(
                lambda: _owned_by(service, first, other), 30, "nobody took the room over"
            )
            await visitor.wait_quiet(after=killed_wall)  # the new agent speaks up
            heard_at = next(at for at, rms in visitor.heard if at >= killed_wall and rms > 300)
            print(
                f"\nworker crash: room re-claimed after {claimed_at - killed_at:.2f} s,"
                f" caller silent for {heard_at - killed_wall:.2f} s"
            )
            turns = await wait_for_turns(
                service, first, lambda ts: any(t.text == phrases()["resumed"] for t in ts)
            )

            asked = await visitor.say(speech(models, "Where does Jordan work now?"))
            await visitor.wait_quiet(after=asked)
            turns = await wait_for_turns(
                service, first, lambda ts: len([t for t in ts if t.role == "user"]) >= 2
            )
            users = [t.text.lower() for t in turns if t.role == "user"]
            assert "rust" in users[0] and "work" in users[1], users
            texts = [t.text for t in turns]
            assert texts.index(phrases()["resumed"]) > next(
                i for i, t in enumerate(texts) if "jitterbuf" in t
            )
            assert len({t.id for t in turns}) == len(turns)
        finally:
            await visitor.leave()
            if second is not None:
                await second.leave()
        await _until(lambda: _ended(service, first), 60, "the call never ended")
        await _until(lambda: _no_pending(redis), 30, "a job was left pending")
        await redis.aclose()


async def _ended(service: LiveServer, session_id: str) -> bool:
    return (await session_row(service, session_id))["ended_at"] is not None


async def _owned_by(service: LiveServer, session_id: str, worker: Worker) -> bool:
    return worker.owns(await _worker_of(service, session_id))


async def _no_pending(redis: Redis) -> bool:
    return await pending(redis) == 0
