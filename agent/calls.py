"""The process's live calls: capacity, one live call per session, and shutdown.

Calls run in-process (the all-in-one service). A slot is reserved synchronously, before any
await, so twenty offers arriving together cannot overshoot MAX_CALLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from pipecat.transports.smallwebrtc.connection import SmallWebRTCConnection
from prometheus_client import Counter, Gauge, Histogram

from agent import webrtc_tuning
from agent.session import CallDeps, CallSession

log = logging.getLogger(__name__)

ACTIVE_CALLS = Gauge("resume_agent_active_calls", "Calls in progress in this process")
CALLS = Counter("resume_agent_calls_total", "Calls by how they ended", ["reason"])
CALLS_REFUSED = Counter("resume_agent_calls_refused_total", "Offers refused", ["reason"])
# Every call's audio is paced by this one event loop: a late wake-up is late audio for everyone.
LOOP_LAG = Histogram(
    "resume_agent_event_loop_lag_seconds",
    "How late the serving event loop wakes up (sampled every 50 ms while calls are up)",
    buckets=(0.005, 0.01, 0.02, 0.03, 0.04, 0.06, 0.1, 0.2, 0.5, 1, 2, 5),
)
LAG_PERIOD_S = 0.05


class CallsFull(Exception):
    """The process is at MAX_CALLS."""


class CallInProgress(Exception):
    """The session already has a live call."""


class CallManager:
    def __init__(self, max_calls: int) -> None:
        webrtc_tuning.apply()
        self.max_calls = max_calls
        self._reserved: set[uuid.UUID] = set()  # sessions between offer and call start
        self._calls: dict[uuid.UUID, CallSession] = {}
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}
        self.loop = asyncio.get_running_loop()  # the serving loop; tests inspect its tasks
        self._closing = False
        self._lag_task: asyncio.Task[None] | None = None

    @property
    def active(self) -> int:
        return len(self._reserved) + len(self._calls)

    def can_accept(self) -> bool:
        """Room for one more call of any kind (browser, phone, room job)."""
        return not self._closing and self.active < self.max_calls

    def stats(self) -> dict[str, int]:
        """What this process runs, for its heartbeat and the job worker's admission."""
        return {"calls": self.active, "capacity": self.max_calls}

    def has_call(self, session_id: uuid.UUID) -> bool:
        return session_id in self._reserved or session_id in self._calls

    def reserve(self, session_id: uuid.UUID | None = None) -> uuid.UUID:
        """Hold a slot (and the session, if known); raises CallsFull / CallInProgress."""
        if self._closing or self.active >= self.max_calls:
            CALLS_REFUSED.labels("busy").inc()
            raise CallsFull
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
        self._tasks[session_id] = task
        if self._lag_task is None or self._lag_task.done():
            self._lag_task = asyncio.create_task(self._watch_lag(), name="loop-lag")
        return call

    async def _watch_lag(self) -> None:
        while self._calls:
            before = self.loop.time()
            await asyncio.sleep(LAG_PERIOD_S)
            LOOP_LAG.observe(max(0.0, self.loop.time() - before - LAG_PERIOD_S))

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
        if self._lag_task is not None:
            self._lag_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lag_task
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
