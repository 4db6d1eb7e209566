"""Agent workers: claim call jobs from the Redis stream and run them, up to a capacity.

The all-in-one service runs one of these in-process; `resume-agent worker` runs it alone, so
calls scale out to as many processes (or machines) as share the Redis. A job is acknowledged
only once it has run (or been handed back to the stream for another worker). The jobs of a
worker that died stay pending; since live workers touch their running jobs every second, a
job left idle for `storage.jobs.IDLE_MS` is taken over by another worker (XAUTOCLAIM), which
runs it as a resumed call. A worker claims only while its process has a free call slot,
counting every kind of call it runs (browser, phone, room), not only jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Counter, Gauge
from redis.asyncio import Redis

from storage.jobs import ack, claim, hand_back, reclaim, touch

log = logging.getLogger(__name__)

JOBS = Counter("resume_agent_jobs_total", "Call jobs by outcome", ["type", "outcome"])
JOBS_RUNNING = Gauge("resume_agent_jobs_running", "Call jobs running in this worker")
JOBS_RECLAIMED = Counter("resume_agent_jobs_reclaimed_total", "Jobs taken over from a worker that died")
JOB_ACK_RETRIES = Counter(
    "resume_agent_job_ack_retries_total", "Acknowledgements of finished jobs tried again"
)

JobHandler = Callable[[dict[str, Any]], Awaitable[None]]
TOUCH_PERIOD_S = 1.0
FULL_PAUSE_S = 0.1
# A finished job whose ack fails (Redis slow or restarting) is acked again with backoff, ~20 s in
# all; the job stays in `_running` meanwhile, so it is still touched and no worker takes it over.
ACK_BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 4.0, 6.0, 6.0)


class HandBack(Exception):  # noqa: N818 (an outcome, not an error)
    """Raised by a handler that cannot run its job here after all: another worker should."""


class JobWorker:
    def __init__(
        self,
        redis: Redis,
        handlers: dict[str, JobHandler],
        capacity: int,
        name: str | None = None,
        free_slots: Callable[[], int] | None = None,
    ) -> None:
        self.redis = redis
        self.handlers = handlers
        self.capacity = capacity
        self.name = name or f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
        # Free call slots of the whole process; by default, only this worker's jobs count.
        self._free_slots = free_slots or (lambda: self.capacity - len(self._running))
        self._running: dict[str, asyncio.Task[None]] = {}  # job id -> its task
        self._stopping = asyncio.Event()

    @property
    def running(self) -> int:
        return len(self._running)

    def free(self) -> int:
        return max(0, min(self._free_slots(), self.capacity - len(self._running)))

    async def run(self) -> None:
        """Claim and start jobs until stop(), only while the process has room for a call."""
        toucher = asyncio.create_task(self._touch_running(), name="job-touch")
        try:
            while not self._stopping.is_set():
                if self.free() <= 0:
                    await asyncio.sleep(FULL_PAUSE_S)  # full: leave new jobs to other workers
                    continue
                try:
                    # First the jobs of dead workers: a caller is waiting in those rooms.
                    for job_id, job in await reclaim(self.redis, self.name, count=self.free()):
                        JOBS_RECLAIMED.inc()
                        log.warning("took over job %s from a worker that died", job_id)
                        self._start(job_id, {**job, "resumed": True})
                    if self.free() <= 0:
                        continue
                    got = await claim(self.redis, self.name, block_ms=500)
                except Exception:
                    log.exception("job stream unavailable; retrying")
                    await asyncio.sleep(1.0)
                    continue
                if got is not None:
                    self._start(*got)
        finally:
            toucher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await toucher

    def _start(self, job_id: str, job: dict[str, Any]) -> None:
        task = asyncio.create_task(self._run_job(job_id, job), name=f"job-{job_id}")
        self._running[job_id] = task
        task.add_done_callback(lambda _: self._running.pop(job_id, None))

    async def _touch_running(self) -> None:
        while True:
            await asyncio.sleep(TOUCH_PERIOD_S)
            try:
                await touch(self.redis, self.name, list(self._running))
            except Exception as exc:  # Redis down: the jobs stay ours until it is back
                log.warning("could not touch running jobs: %s", type(exc).__name__)

    async def _run_job(self, job_id: str, job: dict[str, Any]) -> None:
        kind = str(job.get("type"))
        handler = self.handlers.get(kind)
        JOBS_RUNNING.inc()
        done = True
        try:
            if handler is None:
                log.error("no handler for job type %r; dropping it", kind)
                JOBS.labels(kind, "unknown").inc()
            else:
                await handler(job)
                JOBS.labels(kind, "done").inc()
        except HandBack:
            JOBS.labels(kind, "handed-back").inc()
            done = False
            try:
                await hand_back(self.redis, job_id, {k: v for k, v in job.items() if k != "resumed"})
            except Exception:  # left pending: another worker takes it over once it is idle
                log.exception("could not hand job %s back", job_id)
        except asyncio.CancelledError:  # shut down mid-call: the call was ended, so it ran
            JOBS.labels(kind, "cancelled").inc()
            raise
        except Exception:
            JOBS.labels(kind, "failed").inc()
            log.exception("job %s (%s) failed", job_id, kind)
        finally:
            JOBS_RUNNING.dec()
            if done:
                await self._ack(job_id)

    async def _ack(self, job_id: str) -> None:
        """Acknowledge a finished job, again after a failure: a job left pending would be run twice."""
        for pause in (*ACK_BACKOFF_S, None):
            try:
                await ack(self.redis, job_id)
                return
            except Exception as exc:
                if pause is None:
                    log.error(
                        "could not acknowledge job %s (%s); it may be run again", job_id, type(exc).__name__
                    )
                    return
                JOB_ACK_RETRIES.inc()
                await asyncio.sleep(pause)

    async def stop(self, drain_s: float = 0.0) -> None:
        """Stop claiming; give running calls `drain_s` to finish, then cancel the rest."""
        self._stopping.set()
        if self._running and drain_s > 0:
            await asyncio.wait(set(self._running.values()), timeout=drain_s)
        for task in list(self._running.values()):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
