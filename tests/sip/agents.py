"""`resume-agent serve` processes with their SIP endpoint, for tests that need their own (or
several, or to kill one): PJSIP is one instance per process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from signaling.context import AppContext
from tests.sip.sipp import free_port, free_sip_port

ROOT = Path(__file__).resolve().parents[2]
CALLS_METRIC = re.compile(r"^resume_agent_calls_total\{[^}]*\} ([0-9.]+)$", re.MULTILINE)


def shared_storage(ctx: AppContext) -> dict[str, str]:
    """The test session's Postgres and Redis: agents share a database as they would behind one
    proxy, and a process killed with -9 leaves no server of its own behind."""
    path = ctx.storage.redis.connection_pool.connection_kwargs.get("path")
    redis_url = f"unix://{path}" if path else ctx.settings.redis_url
    assert redis_url is not None
    return {"DATABASE_URL": ctx.storage.database_url, "REDIS_URL": redis_url}


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
            SIP_ALLOWED_ADDRESSES="127.0.0.1",  # the proxy, or sipp
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
