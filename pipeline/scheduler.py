"""One inference scheduler per process: every call's blocking model work, earliest deadline first.

Transcriptions, Smart Turn predictions and Piper synthesis from every call
queue here instead of on per-call threads, so the process decides what runs next:

* **Earliest deadline first.** Each job says when its result is needed: a greeting or the first
  phrase of an answer "now", a later phrase of the same answer when the phrases before it will
  have finished playing. Another call's first audio therefore goes ahead of this call's backlog.
* **An urgent lane.** One worker only takes jobs due within URGENT_HORIZON_S, so a first phrase
  never waits behind long jobs that already hold every thread.
* **Niced threads.** Workers run at MODEL_NICENESS: the event loop that paces every call's 20 ms
  audio frames (and aiortc's codec work) always wins the CPU over a model.
* **Bounded.** Past `max_queue` waiting jobs, `SchedulerFull` is raised rather than queueing
  work that would be seconds late anyway.

Batching was measured and left out: Whisper tiny and Smart Turn on this CPU cost the same per
item batched or not (docs/voice.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from prometheus_client import Counter, Gauge, Histogram

log = logging.getLogger(__name__)
T = TypeVar("T")

URGENT_HORIZON_S = 0.25
# The deadline of background work (cache prewarming): later than any call's work can be, so it
# runs only when nothing else waits.
BACKGROUND_S = 3600.0
TRACE_EVENTS = 2000  # recent start/finish events kept for tests and debugging (bounded)

QUEUE_WAIT = Histogram(
    "resume_agent_inference_queue_wait_seconds",
    "Time a model job waited in the shared inference queue",
    ["kind"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
RUN_TIME = Histogram(
    "resume_agent_inference_run_seconds",
    "Time a model job ran on a scheduler thread",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
LATE_JOBS = Counter("resume_agent_inference_late_total", "Model jobs started after their deadline", ["kind"])
REFUSED_JOBS = Counter("resume_agent_inference_refused_total", "Model jobs refused: queue full", ["kind"])
QUEUE_DEPTH = Gauge("resume_agent_inference_queue_depth", "Model jobs waiting in the shared queue")


class SchedulerFull(Exception):
    """The inference queue holds `max_queue` jobs already."""


@dataclass(frozen=True)
class TraceEvent:
    event: str  # "queued", "start" or "finish"
    seq: int
    call_id: str | None
    kind: str
    deadline: float
    at: float
    worker: str


@dataclass(order=True)
class _Job:
    deadline: float
    seq: int
    fn: Callable[[], Any] = field(compare=False)
    call_id: str | None = field(compare=False)
    kind: str = field(compare=False)
    queued_at: float = field(compare=False)
    loop: asyncio.AbstractEventLoop = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


def soon(seconds: float = 0.0) -> float:
    """A deadline `seconds` from now (the scheduler's clock is time.monotonic)."""
    return time.monotonic() + seconds


class InferenceScheduler:
    def __init__(
        self,
        workers: int = 2,
        *,
        max_queue: int = 64,
        niceness: int = 10,
        urgent_horizon_s: float = URGENT_HORIZON_S,
    ) -> None:
        self.workers = max(1, workers)
        self.max_queue = max_queue
        self.niceness = niceness
        self.urgent_horizon_s = urgent_horizon_s
        self.trace: deque[TraceEvent] = deque(maxlen=TRACE_EVENTS)
        self._heap: list[_Job] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._running = 0
        self._pending: dict[str, int] = {}  # queued or running jobs, by kind
        self._closed = False

    # --- the asyncio side ---

    async def run_blocking(
        self,
        fn: Callable[..., T],
        *args: Any,
        deadline: float,
        call_id: str | None = None,
        kind: str = "model",
    ) -> T:
        """Run `fn(*args)` on a model thread, in deadline order (`deadline`: time.monotonic())."""
        loop = asyncio.get_running_loop()
        job = _Job(
            deadline=deadline,
            seq=next(self._seq),
            fn=(lambda: fn(*args)) if args else fn,
            call_id=call_id,
            kind=kind,
            queued_at=time.monotonic(),
            loop=loop,
            future=loop.create_future(),
        )
        with self._cond:
            if self._closed:
                raise RuntimeError("the inference scheduler is closed")
            if len(self._heap) >= self.max_queue:
                REFUSED_JOBS.labels(kind).inc()
                raise SchedulerFull
            self._start_threads()
            heapq.heappush(self._heap, job)
            self._pending[kind] = self._pending.get(kind, 0) + 1
            QUEUE_DEPTH.set(len(self._heap))
            self._record("queued", job, "")
            self._cond.notify_all()
        try:
            return await job.future
        except asyncio.CancelledError:
            # The caller went (an interruption, a hang-up): a job not started yet is dropped.
            job.cancelled = True
            raise

    def overdue_s(self) -> float:
        """How far past its deadline the most overdue waiting job is (0 when none is).

        Counted from when it was queued if its deadline had passed already (an answer's work is
        due when its caller stopped speaking): the figure is the scheduler's delay, not the VAD's.
        """
        with self._cond:
            if not self._heap:
                return 0.0
            now = time.monotonic()
            return max(0.0, max(now - max(j.deadline, j.queued_at) for j in self._heap[:8]))

    def pending(self, kind: str) -> int:
        """Jobs of `kind` queued or running (a cancelled one counts until it is dropped)."""
        with self._cond:
            return self._pending.get(kind, 0)

    @property
    def depth(self) -> int:
        return len(self._heap)

    @property
    def busy(self) -> int:
        return self._running

    def close(self) -> None:
        with self._cond:
            self._closed = True
            while self._heap:
                self._drop(heapq.heappop(self._heap))
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)

    # --- the worker side ---

    def _start_threads(self) -> None:
        while len(self._threads) < self.workers:
            urgent = len(self._threads) == 0 and self.workers > 1
            name = f"inference-{'urgent' if urgent else len(self._threads)}"
            thread = threading.Thread(target=self._work, args=(urgent,), name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def _lower_priority(self) -> None:
        if not self.niceness:
            return
        try:
            # Linux: a thread's own niceness (os.nice would renice the whole process elsewhere).
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.niceness)
        except (OSError, AttributeError):
            log.debug("could not lower inference thread priority", exc_info=True)

    def _next(self, urgent: bool) -> _Job | None:
        """The earliest-deadline job this worker may take, waiting for one; None once closed."""
        with self._cond:
            while True:
                while self._heap and self._heap[0].cancelled:
                    self._drop(heapq.heappop(self._heap))
                if self._closed:
                    return None
                if self._heap:
                    head = self._heap[0]
                    wait = head.deadline - self.urgent_horizon_s - time.monotonic()
                    if not urgent or wait <= 0:
                        job = heapq.heappop(self._heap)
                        QUEUE_DEPTH.set(len(self._heap))
                        self._running += 1
                        return job
                    self._cond.wait(timeout=wait)  # the urgent lane waits for urgent work
                else:
                    self._cond.wait()

    def _drop(self, job: _Job) -> None:
        self._pending[job.kind] -= 1
        QUEUE_DEPTH.set(len(self._heap))
        with contextlib.suppress(RuntimeError):  # its loop is closed: nobody is waiting
            job.loop.call_soon_threadsafe(_cancel, job.future)

    def _work(self, urgent: bool) -> None:
        self._lower_priority()
        worker = threading.current_thread().name
        while (job := self._next(urgent)) is not None:
            started = time.monotonic()
            QUEUE_WAIT.labels(job.kind).observe(started - job.queued_at)
            if started > max(job.deadline, job.queued_at) + 0.05:
                LATE_JOBS.labels(job.kind).inc()
            self._record("start", job, worker)
            try:
                result, error = job.fn(), None
            except BaseException as exc:  # handed to the awaiting task, which decides
                result, error = None, exc
            RUN_TIME.labels(job.kind).observe(time.monotonic() - started)
            self._record("finish", job, worker)
            with self._cond:
                self._running -= 1
                self._pending[job.kind] -= 1
            with contextlib.suppress(RuntimeError):  # the loop closed while the job ran: nobody waits
                job.loop.call_soon_threadsafe(_settle, job.future, result, error)

    def _record(self, event: str, job: _Job, worker: str) -> None:
        self.trace.append(
            TraceEvent(event, job.seq, job.call_id, job.kind, job.deadline, time.monotonic(), worker)
        )


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _cancel(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.cancel()


_scheduler: InferenceScheduler | None = None
_lock = threading.Lock()


def configure_scheduler(workers: int, *, max_queue: int = 64, niceness: int = 10) -> InferenceScheduler:
    """Set the process's scheduler up from the settings (at start-up; idempotent for equal values)."""
    global _scheduler
    with _lock:
        current = _scheduler
        if (
            current is not None
            and current.workers == max(1, workers)
            and current.max_queue == max_queue
            and current.niceness == niceness
        ):
            return current
        _scheduler = InferenceScheduler(workers, max_queue=max_queue, niceness=niceness)
    if current is not None:
        current.close()
    return _scheduler


def get_scheduler() -> InferenceScheduler:
    global _scheduler
    with _lock:
        if _scheduler is None:
            _scheduler = InferenceScheduler()
        return _scheduler
