"""The scale-out recipe, for real: Kamailio (deploy/kamailio/kamailio.cfg, dispatcher module)
in front of two `resume-agent serve` processes. Four calls are spread over both; after one
process is killed (-9), new calls all go to the other and still complete."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from signaling.context import AppContext
from tests.sip.agents import ROOT, Agent, shared_storage
from tests.sip.sipp import free_port, run_sipp, scenario

CONFIG = ROOT / "deploy" / "kamailio" / "kamailio.cfg"


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
    started = [Agent(folder, shared_storage(ctx)) for folder in folders]
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
