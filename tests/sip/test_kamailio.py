"""The scale-out recipe, for real: Kamailio (deploy/kamailio/kamailio.cfg, dispatcher module)
in front of two `resume-agent serve` processes. Four calls are spread over both; after one
process is killed (-9), new calls all go to the other and still complete."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from signaling.context import AppContext
from tests.sip.sipp import free_port, free_sip_port, run_sipp, scenario

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "kamailio" / "kamailio.cfg"
CALLS_METRIC = re.compile(r"^resume_agent_calls_total\{[^}]*\} ([0-9.]+)$", re.MULTILINE)


class Agent:
    def __init__(self, folder: Path, storage: dict[str, str]) -> None:
        self.http_port = free_port(socket.SOCK_STREAM)
        self.sip_port = free_sip_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIP_", "DATABASE_URL", "REDIS_URL"))}
        env.update(
            DATA_DIR=str(folder),
            **storage,
            PORT=str(self.http_port),
            LOG_LEVEL="WARNING",
            SIP_PORT=str(self.sip_port),
            SIP_HOST="127.0.0.1",
            SIP_ALLOWED_ADDRESSES="127.0.0.1",  # the proxy
            SIP_RTP_PORT_START=str(free_port() & ~1),
            SIP_RTP_PORT_RANGE="100",
            MAX_CALLS_PER_IP="16",
        )
        self.log = (folder / "agent.log").open("wb")
        command = [sys.executable, "-m", "cli.main", "serve"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout_s: float = 180.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"agent exited; see {self.log.name}"
            try:
                if httpx.get(f"http://127.0.0.1:{self.http_port}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("agent did not start")

    def calls_ended(self) -> int:
        text = httpx.get(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5).text
        return int(sum(float(v) for v in CALLS_METRIC.findall(text)))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wait_bound(port: int, timeout_s: float = 15.0) -> None:
    """Until something holds UDP port `port` (Kamailio listening)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return
        time.sleep(0.05)
    raise TimeoutError("kamailio did not start")


@pytest.fixture
def agents(ctx: AppContext, tmp_path: Path) -> Iterator[list[Agent]]:
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()
    # Both processes use the test session's Postgres and Redis, as agents behind one proxy share
    # a database; a process killed with -9 leaves no server of its own behind.
    path = ctx.storage.redis.connection_pool.connection_kwargs.get("path")
    redis_url = f"unix://{path}" if path else ctx.settings.redis_url
    assert redis_url is not None
    storage = {"DATABASE_URL": ctx.storage.database_url, "REDIS_URL": redis_url}
    started = [Agent(folder, storage) for folder in folders]
    try:
        for agent in started:
            agent.wait_ready()
        yield started
    finally:
        for agent in started:
            agent.stop()


@pytest.fixture
def proxy(agents: list[Agent], tmp_path: Path) -> Iterator[int]:
    port = free_port()
    listing = tmp_path / "dispatcher.list"
    listing.write_text("".join(f"1 sip:127.0.0.1:{a.sip_port}\n" for a in agents))
    run_dir = tmp_path / "kamailio"
    run_dir.mkdir()
    log = (tmp_path / "kamailio.log").open("wb")
    defines = [f"LISTEN=udp:127.0.0.1:{port}", f'DISPATCHER_LIST="{listing}"', "PING_INTERVAL=1"]
    command = ["kamailio", "-DD", "-E", "-f", str(CONFIG), "-Y", str(run_dir), "-P", str(run_dir / "pid")]
    for define in defines:
        command += ["-A", define]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_bound(port)
        yield port
    finally:
        process.terminate()
        process.wait(10)
        log.close()


async def wait_calls(agents: list[Agent], total: int, timeout_s: float = 30.0) -> list[int]:
    """Each agent's count of finished calls, once they add up to `total`."""
    deadline = time.monotonic() + timeout_s
    while True:
        counts = [a.calls_ended() if a.process.poll() is None else 0 for a in agents]
        if sum(counts) >= total or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.2)


async def test_calls_spread_over_agents_and_fail_over(
    agents: list[Agent], proxy: int, tmp_path: Path
) -> None:
    target = f"127.0.0.1:{proxy}"
    calls = scenario("via_proxy.xml", tmp_path)
    run = await run_sipp(target, tmp_path, "-r", "2", scenario_file=calls, calls=4, timeout_s=90)
    assert run.returncode == 0, run.stdout[-2000:] + run.errors
    first, second = await wait_calls(agents, 4)
    assert (first, second) == (2, 2)  # round-robin over both processes

    agents[0].process.kill()  # kill -9: no goodbye, no deregistration
    agents[0].process.wait()
    run = await run_sipp(target, tmp_path, "-r", "2", scenario_file=calls, calls=4, timeout_s=90)
    assert run.returncode == 0, run.stdout[-2000:] + run.errors  # every new call still answered
    assert (await wait_calls(agents[1:], 2 + 4))[0] == 6  # ... by the survivor
