"""Agent workers: claim call jobs from the Redis stream and run them, up to a capacity.

The all-in-one service runs one of these in-process; `resume-agent worker` runs it alone, so
calls scale out to as many processes (or machines) as share the Redis. A job is acknowledged
when its call ends, so the jobs of a worker that died stay visible as pending (XPENDING):
a live call cannot move to another process, so they are not retried automatically.
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

from storage.jobs import ack, claim

log = logging.getLogger(__name__)

JOBS = Counter("resume_agent_jobs_total", "Call jobs by outcome", ["type", "outcome"])
JOBS_RUNNING = Gauge("resume_agent_jobs_running", "Call jobs running in this worker")

JobHandler = Callable[[dict[str, Any]], Awaitable[None]]


class JobWorker:
    def __init__(
        self, redis: Redis, handlers: dict[str, JobHandler], capacity: int, name: str | None = None
    ) -> None:
        self.redis = redis
        self.handlers = handlers
        self.capacity = capacity
        self.name = name or f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()

    @property
    def running(self) -> int:
        return len(self._running)

    async def run(self) -> None:
        """Claim and start jobs until stop(); never more than `capacity` at once."""
        while not self._stopping.is_set():
            if len(self._running) >= self.capacity:
                await asyncio.sleep(0.1)  # full: leave new jobs to other workers
                continue
            try:
                got = await claim(self.redis, self.name, block_ms=500)
            except Exception:
                log.exception("job stream unavailable; retrying")
                await asyncio.sleep(1.0)
                continue
            if got is None:
                continue
            job_id, job = got
            task = asyncio.create_task(self._run_job(job_id, job), name=f"job-{job_id}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run_job(self, job_id: str, job: dict[str, Any]) -> None:
        kind = str(job.get("type"))
        handler = self.handlers.get(kind)
        JOBS_RUNNING.inc()
        try:
            if handler is None:
                log.error("no handler for job type %r; dropping it", kind)
                JOBS.labels(kind, "unknown").inc()
            else:
                await handler(job)
                JOBS.labels(kind, "done").inc()
        except asyncio.CancelledError:
            JOBS.labels(kind, "cancelled").inc()
            raise
        except Exception:
            JOBS.labels(kind, "failed").inc()
            log.exception("job %s (%s) failed", job_id, kind)
        finally:
            JOBS_RUNNING.dec()
            with contextlib.suppress(Exception):
                await ack(self.redis, job_id)

    async def stop(self, drain_s: float = 0.0) -> None:
        """Stop claiming; give running calls `drain_s` to finish, then cancel the rest."""
        self._stopping.set()
        if self._running and drain_s > 0:
            await asyncio.wait(set(self._running), timeout=drain_s)
        for task in list(self._running):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
