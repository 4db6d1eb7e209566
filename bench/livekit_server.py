"""Real LiveKit server (and Redis for it) on loopback, for the LiveKit tests and benchmarks.

The binaries come from scripts/install_livekit.sh (`go install`, cached). The server runs
with the project's own livekit.yaml, patched only for free ports and the test's webhook URL.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from signaling.background_server import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(os.environ.get("LIVEKIT_BIN_DIR", Path.home() / ".cache/resume-agent-bin/livekit"))
API_KEY = "testkey"
API_SECRET = "testsecret-testsecret-testsecret-0123456789"


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def missing_reason() -> str | None:
    """Why the LiveKit tests cannot run here, or None."""
    if not (BIN_DIR / "server").exists():
        return f"livekit-server not built in {BIN_DIR} (run scripts/install_livekit.sh; needs Go)"
    if shutil.which("redis-server") is None:
        return "redis-server (Debian package) not installed"
    return None


@dataclass
class LiveKitServer:
    url: str
    http_url: str
    redis_port: int
    log: Path
    _procs: list[subprocess.Popen[bytes]]

    def stop(self) -> None:
        for proc in reversed(self._procs):
            proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_livekit(workdir: Path, webhook_url: str) -> LiveKitServer:
    redis_port, http_port, tcp_port = free_port(), free_port(), free_port()
    procs: list[subprocess.Popen[bytes]] = []
    procs.append(
        subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    wait_for_port(redis_port)
    config = yaml.safe_load((ROOT / "livekit.yaml").read_text())
    config["port"] = http_port
    config["rtc"]["tcp_port"] = tcp_port
    config["redis"]["address"] = f"127.0.0.1:{redis_port}"
    config["webhook"] = {"api_key": API_KEY, "urls": [webhook_url]}
    config_path = workdir / "livekit.yaml"
    config_path.write_text(yaml.safe_dump(config))
    log = workdir / "livekit.log"
    env = {**os.environ, "LIVEKIT_KEYS": f"{API_KEY}: {API_SECRET}"}
    with log.open("wb") as out:
        procs.append(
            subprocess.Popen(
                [str(BIN_DIR / "server"), "--config", str(config_path)], stdout=out, stderr=out, env=env
            )
        )
    try:
        wait_for_port(http_port)
    except TimeoutError:
        for p in procs:
            p.kill()
        raise RuntimeError(f"livekit-server did not start:\n{log.read_text()[-2000:]}") from None
    return LiveKitServer(
        f"ws://127.0.0.1:{http_port}", f"http://127.0.0.1:{http_port}", redis_port, log, procs
    )
