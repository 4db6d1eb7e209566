"""kill -9 of `resume-agent serve` right after answered questions, some of them answered while
the embedded Postgres was dead too (journaled): after a restart every turn is in the history,
once each, in order."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from storage.embedded import process_alive

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(data_dir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "VOICE_PRELOAD": "false",
        "RATE_LIMIT_ENABLED": "false",
        "SUPERVISE_EMBEDDED": "false",  # the test kills the embedded Postgres and keeps it dead
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)  # this test is about the embedded servers
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)], cwd=ROOT, env=env
    )
    try:
        _wait_ready(proc, port)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(60)


def _wait_ready(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve never got ready")


def _kill9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process_alive(pid):
        assert time.monotonic() < deadline, f"{pid} survived SIGKILL"
        time.sleep(0.02)


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "pg" / "postmaster.pid").read_text().split("\n", 1)[0])


def test_answered_turns_survive_kill_9_of_the_service(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    asked: list[str] = []
    with serve(tmp_path, port) as proc:
        first = httpx.post(f"{url}/api/query", json={"text": "Where does Jordan work now?"}, timeout=30)
        assert first.status_code == 200
        asked.append("Where does Jordan work now?")
        _kill9(proc.pid)  # the moment the answer is in
    session, token = first.json()["session_id"], first.json()["session_token"]
    auth = {"Authorization": f"Bearer {token}"}

    with serve(tmp_path, port) as proc:
        for text in ("What did they build there?", "Which languages do they know?"):
            if len(asked) == 2:
                _kill9(_postmaster_pid(tmp_path))  # the second one is answered with Postgres dead
            answer = httpx.post(
                f"{url}/api/query", json={"text": text, "session_id": session}, headers=auth, timeout=30
            )
            assert answer.status_code == 200, answer.text
            auth = {"Authorization": f"Bearer {answer.json()['session_token']}"}
            asked.append(text)
        assert (tmp_path / "journal" / "turns.jsonl").stat().st_size > 0
        _kill9(proc.pid)

    with serve(tmp_path, port):  # starts Postgres again, then replays the journal
        deadline = time.monotonic() + 30
        while (tmp_path / "journal" / "turns.jsonl").stat().st_size > 0:
            assert time.monotonic() < deadline, "journal never replayed"
            time.sleep(0.1)
        turns = httpx.get(f"{url}/api/sessions/{session}/history", headers=auth, timeout=30).json()["turns"]
    assert [t["text"] for t in turns if t["role"] == "user"] == asked
    assert [t["role"] for t in turns] == ["user", "assistant"] * 3
