"""The process's live calls: admission, one live call per session, and shutdown.

Calls run in-process (the all-in-one service). A slot is reserved synchronously, before any
await, so twenty offers arriving together cannot overshoot MAX_CALLS. Below that hard cap a new
call is admitted while the measured load (agent/load.py) is at most LOAD_THRESHOLD; a process
with no call at all admits one whatever the load, since the load is then someone else's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from pipecat.transports.smallwebrtc.connection import SmallWebRTCConnection
from prometheus_client import Counter, Gauge

from agent import webrtc_tuning
from agent.load import LoadMonitor
from agent.memory import after_call
from agent.session import CallDeps, CallSession

log = logging.getLogger(__name__)

ACTIVE_CALLS = Gauge("resume_agent_active_calls", "Calls in progress in this process")
CALLS = Counter("resume_agent_calls_total", "Calls by how they ended", ["reason"])
CALLS_REFUSED = Counter("resume_agent_calls_refused_total", "Offers refused", ["reason"])


class CallsFull(Exception):
    """The process is at MAX_CALLS (or, as `Overloaded`, above LOAD_THRESHOLD)."""


class Overloaded(CallsFull):
    """The measured load is above LOAD_THRESHOLD."""


class CallInProgress(Exception):
    """The session already has a live call."""


class CallManager:
    def __init__(
        self, max_calls: int, load_threshold: float = 0.85, monitor: LoadMonitor | None = None
    ) -> None:
        webrtc_tuning.apply()
        self.max_calls = max_calls
        self.load_threshold = load_threshold
        self.monitor = monitor or LoadMonitor()
        self._reserved: set[uuid.UUID] = set()  # sessions between offer and call start
        self._calls: dict[uuid.UUID, CallSession] = {}
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self.loop = asyncio.get_running_loop()  # the serving loop; tests inspect its tasks
        self._closing = False
        self.monitor.start()

    @property
    def active(self) -> int:
        return len(self._reserved) + len(self._calls)

    def can_accept(self) -> bool:
        """Room for one more call of any kind (browser, phone, room job), by count and measured load."""
        if self._closing or self.active >= self.max_calls:
            return False
        return self.active == 0 or self.load() <= self.load_threshold

    def has_call(self, session_id: uuid.UUID) -> bool:
        return session_id in self._reserved or session_id in self._calls

    def load(self) -> float:
        """The measured load (1 = at capacity): for admission, /metrics and the heartbeat."""
        return self.monitor.load

    def stats(self) -> dict[str, float | int]:
        """What a heartbeat reports about this process (every kind of call counts)."""
        sample = self.monitor.sample()
        return {
            "calls": self.active,
            "reserved": len(self._reserved),
            "capacity": self.max_calls,
            "load": sample.load,
            "cpu": sample.cpu,
            "lag_ms": sample.lag_ms,
            "overdue_ms": sample.overdue_ms,
            "load_threshold": self.load_threshold,
        }

    def reserve(self, session_id: uuid.UUID | None = None) -> uuid.UUID:
        """Hold a slot (and the session, if known); raises CallsFull, Overloaded or CallInProgress."""
        if self._closing or self.active >= self.max_calls:
            CALLS_REFUSED.labels("busy").inc()
            raise CallsFull
        if self.active > 0 and self.load() > self.load_threshold:
            CALLS_REFUSED.labels("load").inc()
            raise Overloaded
        if session_id is not None and self.has_call(session_id):
            CALLS_REFUSED.labels("in-progress").inc()
            raise CallInProgress
        key = session_id or uuid.uuid4()
        self._reserved.add(key)
        return key

    def rekey(self, old: uuid.UUID, new: uuid.UUID) -> None:
        """A reservation made before its session existed now belongs to that session."""
        self._reserved.discard(old)
        self._reserved.add(new)

    def release(self, key: uuid.UUID) -> None:
        self._reserved.discard(key)

    def start(self, deps: CallDeps, connection: SmallWebRTCConnection, session_id: uuid.UUID) -> CallSession:
        return self.start_call(CallSession(deps, connection, session_id))

    def start_call(self, call: CallSession) -> CallSession:
        """Run a call of any transport in this process; its slot must be reserved under its session id."""
        session_id = call.session_id
        self._reserved.discard(session_id)
        self._calls[session_id] = call
        ACTIVE_CALLS.set(len(self._calls))
        task = asyncio.create_task(self._run(call), name=f"call-{session_id}")
        task.add_done_callback(after_call)  # first of its callbacks: the call's frame is gone by then
        self._tasks[session_id] = task
        return call

    def task_of(self, session_id: uuid.UUID) -> asyncio.Task[None] | None:
        return self._tasks.get(session_id)

    async def _run(self, call: CallSession) -> None:
        try:
            await call.run()
        finally:
            CALLS.labels(call.end_reason).inc()
            self._calls.pop(call.session_id, None)
            self._tasks.pop(call.session_id, None)
            ACTIVE_CALLS.set(len(self._calls))

    def connection_for(self, pc_id: str) -> SmallWebRTCConnection | None:
        call = self.call_for_pc(pc_id)
        return call.connection if call is not None else None

    def call_for_pc(self, pc_id: str) -> CallSession | None:
        return next(
            (c for c in self._calls.values() if c.connection is not None and c.connection.pc_id == pc_id),
            None,
        )

    async def close(self, timeout_s: float = 10.0) -> None:
        """Hang up every call and wait for each to finish its cleanup."""
        self._closing = True
        await self.monitor.stop()
        for call in list(self._calls.values()):
            with contextlib.suppress(Exception):
                await call.hang_up("shutdown")
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
            log.warning("%d calls had to be cancelled at shutdown", len(pending))
