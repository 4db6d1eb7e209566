"""This process's heartbeat, and the reaper of sessions left by processes that died.

Every process beats (storage/heartbeats.py) with what it runs: active calls, capacity and a
load figure (calls over capacity, or the CPU load per core if higher), which /metrics also
exports for an autoscaler. Every process also reaps: whichever notices a dead one first ends
its sessions ('worker-lost'); the others find nothing left to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid

from prometheus_client import Counter

from agent.calls import CallManager
from storage.connect import Storage
from storage.heartbeats import HEARTBEAT_S, beat, dead_processes, leave, reap

log = logging.getLogger(__name__)

REAPED = Counter("resume_agent_sessions_reaped_total", "Sessions ended because their process died")
REAP_EVERY = 2  # beats
# A process is dead once missing from this many reaper passes in a row (~6 s): a Redis that
# restarted without its keys makes every process look dead until each has beaten again.
MISSED_PASSES = 3


def process_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:4]}"


def load_figure(calls: CallManager) -> float:
    """Calls over capacity, or the measured load (agent/load.py) if higher."""
    share = calls.active / max(1, calls.max_calls)
    return round(max(share, calls.load()), 3)


class Reaper:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.missing: dict[str, int] = {}

    async def check(self) -> None:
        seen = set(await dead_processes(self.storage.redis))
        self.missing = {n: self.missing.get(n, 0) + 1 for n in seen}
        dead = [n for n, passes in self.missing.items() if passes >= MISSED_PASSES]
        if dead:
            for ended in (await reap(self.storage.redis, self.storage.pool, dead)).values():
                REAPED.inc(ended)
            for n in dead:
                self.missing.pop(n, None)

    def forget(self) -> None:
        """Our own view of Redis broke: start counting afresh."""
        self.missing.clear()


async def keep_alive(name: str, storage: Storage, calls: CallManager) -> None:
    beats = 0
    reaper = Reaper(storage)
    try:
        while True:
            load = load_figure(calls)
            try:
                await beat(
                    storage.redis,
                    name,
                    {"pid": os.getpid(), **calls.stats(), "load": load, "at": time.time()},
                )
                if beats % REAP_EVERY == 0:
                    await reaper.check()
            except Exception as exc:  # Redis or Postgres down: beat again next time
                reaper.forget()
                log.warning("heartbeat or reaper skipped: %s", type(exc).__name__)
            beats += 1
            await asyncio.sleep(HEARTBEAT_S)
    finally:
        with contextlib.suppress(Exception):
            await leave(storage.redis, name)
