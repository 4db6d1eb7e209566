"""Shared by the voice benchmarks: the service as its own process, and Piper-made questions."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
from piper import PiperVoice

from config.settings import Settings
from pipeline.models import piper_voice_path
from signaling.background_server import free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"

QUESTIONS = [
    "Which projects used Rust?",
    "Where does Jordan work right now?",
    "Has Jordan worked with Kafka?",
    "What did they do at Cartograph?",
    "Tell me about their education.",
    "What is Jordan's current role?",
    "Does Jordan know Kubernetes?",
    "What languages does Jordan speak?",
    "When is Jordan available?",
    "Which certifications does Jordan have?",
]


# Every bench caller is 127.0.0.1: the per-IP caps (on by default) would refuse the second one.
BENCH_ENV = {
    "RATE_LIMIT_ENABLED": "false",
    "LOG_LEVEL": "WARNING",
    "MAX_CALLS_PER_IP": "200",
    "MAX_OFFERS_IN_FLIGHT_PER_IP": "200",
}


# Against the reference bot (whose threads run at normal priority) on a machine shared with other
# jobs: at MODEL_NICENESS 10 our model threads yield to every other process on the machine, not
# just to our own event loop, and a comparison would measure the neighbours. Alone on a machine
# the niceness only orders our own threads; see docs/voice.md.
FAIR_ENV = {"MODEL_NICENESS": "0"}


@contextmanager
def service(**env_overrides: str) -> Iterator[str]:
    """`resume-agent serve` in its own process (as deployed), on a loopback port; yields its URL."""
    with service_process(None, **env_overrides) as (base, _pid):
        yield base


@contextmanager
def service_process(
    argv: list[str] | None = None, port: int | None = None, /, **env_overrides: str
) -> Iterator[tuple[str, int]]:
    """Like `service`, also giving the server's process id (for its RSS and CPU time).

    `argv`: another command that serves the same app (bench/memory_probe.py's, with its probe);
    `port`: when something else must know it first (a LiveKit server's webhook)."""
    port = port or free_port()
    data_dir = tempfile.mkdtemp(prefix="bench-voice-")
    env = {**os.environ, "DATA_DIR": data_dir, **BENCH_ENV}
    env.update(env_overrides)
    # BENCH_SERVICE_LOG=<file>: keep the service's log there, to see why a run went wrong.
    log = open(os.environ["BENCH_SERVICE_LOG"], "ab") if os.environ.get("BENCH_SERVICE_LOG") else None  # noqa: SIM115
    process = subprocess.Popen(
        [*(argv or [str(ROOT / ".venv/bin/resume-agent"), "serve"]), "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # model load and phrase prewarm; slow on a busy machine
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("service did not become ready")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        if log is not None:
            log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


class Speaker:
    """Questions spoken by Piper, at the caller's 48 kHz, with where their voice really ends."""

    def __init__(self) -> None:
        self.voice = PiperVoice.load(piper_voice_path(Settings(_env_file=None)))  # type: ignore[call-arg]

    def say(self, text: str, gain: float = 0.6) -> tuple[np.ndarray, float]:
        audio = np.concatenate([c.audio_float_array for c in self.voice.synthesize(text)])
        n = int(len(audio) * 48000 / self.voice.config.sample_rate)
        pcm = np.interp(np.linspace(0, len(audio), n, endpoint=False), np.arange(len(audio)), audio)
        pcm16 = (pcm / max(1e-6, float(np.abs(pcm).max())) * gain * 32767).astype(np.int16)
        voiced = np.flatnonzero(np.abs(pcm16.astype(np.int32)) > 300)
        tail_s = (len(pcm16) - (voiced[-1] + 1)) / 48000 if len(voiced) else 0.0
        return pcm16, tail_s  # tail_s: the clip's trailing silence, not part of the speech


def rss_mb(pid: int) -> float:
    """Resident memory of a process, MB (Linux /proc)."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far (all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
