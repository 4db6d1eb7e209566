"""The process's measured load, 0 (idle) to 1 (at capacity) and beyond: what admission follows.

A fixed MAX_CALLS cannot know what a call costs: a call that only listens costs little, eight
callers asking at once cost more than two cores have (issue 14). Like LiveKit's agent workers,
admission follows a measured figure instead, the worst of three, each scaled so 1.0 means full:

* **CPU**: this process's CPU time over wall time, per available core.
* **Audio lateness**: how late the event loop wakes up against LAG_BUDGET_S. Every call's 20 ms
  audio frames are paced by that loop; past ~40 ms of lag callers hear gaps.
* **Overdue model work**: how far past its deadline the inference scheduler's most overdue job
  is, against OVERDUE_BUDGET_S (a first phrase that late is a silence the caller notices).

Each is sampled every PERIOD_S and smoothed (EWMA), so one slow garbage collection does not
refuse a caller, and a sustained overload is seen within a second or two.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass

from prometheus_client import Gauge, Histogram

from pipeline.scheduler import InferenceScheduler, get_scheduler

LAG_BUDGET_S = 0.04
OVERDUE_BUDGET_S = 0.5
PERIOD_S = 0.25
TICK_S = 0.05  # the lag probe's sleep
SMOOTHING = 0.35  # weight of the newest sample

LOAD = Gauge("resume_agent_load", "Measured load of this process (1 = at capacity; see LOAD_THRESHOLD)")
LOAD_PART = Gauge("resume_agent_load_part", "The parts of resume_agent_load", ["part"])
# Every call's audio is paced by this one event loop: a late wake-up is late audio for everyone.
LOOP_LAG = Histogram(
    "resume_agent_event_loop_lag_seconds",
    "How late the serving event loop wakes up (sampled every 50 ms)",
    buckets=(0.005, 0.01, 0.02, 0.03, 0.04, 0.06, 0.1, 0.2, 0.5, 1, 2, 5),
)


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class LoadSample:
    load: float
    cpu: float
    lag_ms: float
    overdue_ms: float


class LoadMonitor:
    def __init__(self, scheduler: InferenceScheduler | None = None, cpus: int | None = None) -> None:
        self._scheduler = scheduler
        self.cpus = cpus or available_cpus()
        self.fixed: float | None = None  # a figure set from outside (tests, an operator draining)
        self._cpu = 0.0
        self._lag = 0.0
        self._overdue = 0.0
        self._lag_ms = 0.0
        self._task: asyncio.Task[None] | None = None
        self.samples = 0  # how many periods have been measured

    @property
    def load(self) -> float:
        if self.fixed is not None:
            return self.fixed
        return max(self._cpu, self._lag, self._overdue)

    def sample(self) -> LoadSample:
        overdue_ms = self._overdue * OVERDUE_BUDGET_S * 1000
        return LoadSample(
            round(self.load, 3), round(self._cpu, 3), round(self._lag_ms, 1), round(overdue_ms, 1)
        )

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="load-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wall0, cpu0 = time.monotonic(), time.process_time()
            worst_lag = 0.0
            for _ in range(max(1, round(PERIOD_S / TICK_S))):
                before = loop.time()
                await asyncio.sleep(TICK_S)
                lag = max(0.0, loop.time() - before - TICK_S)
                LOOP_LAG.observe(lag)
                worst_lag = max(worst_lag, lag)
            wall = max(1e-6, time.monotonic() - wall0)
            cpu = (time.process_time() - cpu0) / wall / self.cpus
            scheduler = self._scheduler or get_scheduler()
            self._update(cpu, worst_lag, scheduler.overdue_s())

    def _update(self, cpu: float, lag_s: float, overdue_s: float) -> None:
        self.samples += 1
        a = SMOOTHING
        self._cpu = a * cpu + (1 - a) * self._cpu
        self._lag_ms = a * lag_s * 1000 + (1 - a) * self._lag_ms
        self._lag = self._lag_ms / 1000 / LAG_BUDGET_S
        self._overdue = a * (overdue_s / OVERDUE_BUDGET_S) + (1 - a) * self._overdue
        LOAD.set(self.load)
        LOAD_PART.labels("cpu").set(self._cpu)
        LOAD_PART.labels("lag").set(self._lag)
        LOAD_PART.labels("overdue").set(self._overdue)
