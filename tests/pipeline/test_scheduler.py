"""The shared inference scheduler: deadline order, a bounded queue, the urgent lane, niced threads.

Real threads and a real queue; a "gate" job (a thread waiting on an Event) holds a worker busy
so that jobs pile up exactly as they do behind a long synthesis, and everything else is
synchronised on the scheduler's own trace events.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterator

import pytest

from pipeline.scheduler import InferenceScheduler, SchedulerFull, soon
from tests.caller import poll


@pytest.fixture
def scheduler() -> Iterator[InferenceScheduler]:
    s = InferenceScheduler(1, max_queue=8, niceness=10)
    yield s
    s.close()


async def _until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    await poll(predicate, timeout_s, "the scheduler never got there", interval_s=0.005)


def _started(s: InferenceScheduler, kind: str) -> bool:
    return any(e.event == "start" and e.kind == kind for e in s.trace)


async def _gate(s: InferenceScheduler, deadline: float) -> tuple[threading.Event, asyncio.Task[None]]:
    """Occupy one worker until the returned event is set."""
    release = threading.Event()
    task = asyncio.create_task(s.run_blocking(release.wait, 30, deadline=deadline, kind="gate"))  # type: ignore[arg-type]
    await _until(lambda: _started(s, "gate"))
    return release, task  # type: ignore[return-value]


async def test_jobs_run_earliest_deadline_first(scheduler: InferenceScheduler) -> None:
    release, gate = await _gate(scheduler, soon())
    ran: list[str] = []
    base = soon(10)
    jobs = [
        asyncio.create_task(scheduler.run_blocking(ran.append, name, deadline=base + offset, kind=name))
        for name, offset in [("late", 3.0), ("first", 1.0), ("middle", 2.0)]
    ]
    await _until(lambda: scheduler.depth == 3)  # all three wait behind the gate, queued out of order
    release.set()
    await asyncio.gather(gate, *jobs)
    assert ran == ["first", "middle", "late"]


async def test_a_full_queue_refuses_new_work(scheduler: InferenceScheduler) -> None:
    small = InferenceScheduler(1, max_queue=2)
    try:
        release, gate = await _gate(small, soon())
        waiting = [
            asyncio.create_task(small.run_blocking(int, "1", deadline=soon(), kind="x")) for _ in range(2)
        ]
        await _until(lambda: small.depth == 2)
        with pytest.raises(SchedulerFull):
            await small.run_blocking(int, "2", deadline=soon(), kind="x")
        release.set()
        assert await asyncio.gather(*waiting) == [1, 1]
        await gate
    finally:
        small.close()


async def test_urgent_work_does_not_wait_behind_long_jobs() -> None:
    s = InferenceScheduler(2, max_queue=8)
    try:
        # The general worker is busy with a long, not urgent job (a later sentence, say)...
        release, gate = await _gate(s, soon(30))
        later = asyncio.create_task(s.run_blocking(str, "later", deadline=soon(20), kind="later"))
        await _until(lambda: s.depth == 1)
        # ...and a first phrase due now still runs at once, on the urgent lane.
        assert await s.run_blocking(str, "now", deadline=soon(), kind="urgent") == "now"
        assert not _started(s, "later"), "the urgent lane took work that was not urgent"
        urgent_worker = next(e.worker for e in s.trace if e.kind == "urgent" and e.event == "start")
        gate_worker = next(e.worker for e in s.trace if e.kind == "gate" and e.event == "start")
        assert urgent_worker != gate_worker
        release.set()
        assert await later == "later"
        await gate
    finally:
        s.close()


async def test_a_cancelled_waiting_job_never_runs(scheduler: InferenceScheduler) -> None:
    release, gate = await _gate(scheduler, soon())
    ran: list[str] = []
    waiting = asyncio.create_task(scheduler.run_blocking(ran.append, "gone", deadline=soon(), kind="gone"))
    await _until(lambda: scheduler.depth == 1)
    waiting.cancel()  # the call was interrupted or hung up
    with pytest.raises(asyncio.CancelledError):
        await waiting
    after = await asyncio.gather(
        scheduler.run_blocking(ran.append, "next", deadline=soon(), kind="next"),
        _release_soon(release),
    )
    await gate
    assert ran == ["next"] and after[0] is None
    assert not _started(scheduler, "gone")


async def _release_soon(release: threading.Event) -> None:
    release.set()


async def test_model_threads_run_below_the_event_loop(scheduler: InferenceScheduler) -> None:
    def own_niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    loop_niceness = own_niceness()
    assert await scheduler.run_blocking(own_niceness, deadline=soon(), kind="nice") == loop_niceness + 10


async def test_errors_reach_the_caller(scheduler: InferenceScheduler) -> None:
    with pytest.raises(ValueError):
        await scheduler.run_blocking(int, "not a number", deadline=soon(), kind="bad")
    assert await scheduler.run_blocking(int, "7", deadline=soon(), kind="good") == 7
