"""Fair shared inference: one call's long answer does not delay another call's first audio.

Two real WebRTC calls on the real service. The scheduler's general worker is held busy (a gate
job, as a long synthesis of a third call would hold it), so later phrases of call A's long
answer wait in the queue; call B asks meanwhile. Its first phrase is due now, A's later phrases
only when A's audio in front of them runs out, so B's first phrase must start first although
A's was queued earlier. Asserted on the scheduler's trace (order and deadlines), never on time.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from pipeline.models import SpeechModels
from pipeline.scheduler import TraceEvent, get_scheduler, soon
from signaling.background_server import LiveServer
from tests.caller import Caller, poll
from tests.voice_fixtures import calls_of, speech, wait_until_quiet

LONG = "What did they do at Cartograph?"
SHORT = "Which projects used Rust?"


def _jobs(call_id: str | None, kind: str = "tts") -> dict[int, dict[str, TraceEvent]]:
    jobs: dict[int, dict[str, TraceEvent]] = {}
    for e in list(get_scheduler().trace):
        if e.call_id == call_id and e.kind == kind:
            jobs.setdefault(e.seq, {})[e.event] = e
    return jobs


@pytest.mark.timeout(240)
async def test_a_long_answer_does_not_delay_another_calls_first_audio(
    voice_service: LiveServer, models: SpeechModels
) -> None:
    scheduler = get_scheduler()
    a, b = Caller(voice_service.url), Caller(voice_service.url)
    release = threading.Event()
    long_q, short_q = speech(models, LONG), speech(models, SHORT)
    gate = None
    try:
        assert (await a.connect()).status_code == 200
        assert (await b.connect()).status_code == 200
        await wait_until_quiet(a)
        await wait_until_quiet(b)  # both greetings heard

        # Hold the general worker, as a long job of another call would.
        gate = asyncio.run_coroutine_threadsafe(
            scheduler.run_blocking(release.wait, 120, deadline=soon(120), kind="gate"),
            calls_of(voice_service).loop,
        )
        await poll(
            lambda: any(e.kind == "gate" and e.event == "start" for e in scheduler.trace), 30, "no gate"
        )

        asked_a = await a.say(long_q)
        # A's first phrase plays, and a later phrase of A's answer waits in the queue.
        await poll(lambda: a.received.first_speech_after(asked_a) is not None, 60, "A never answered")
        await poll(
            lambda: any(len(j) == 1 for j in list(_jobs(a.session_id).values())[1:]),
            60,
            "no later phrase of A waited in the queue",
        )
        asked_b = await b.say(short_q)
        await poll(lambda: b.received.first_speech_after(asked_b) is not None, 60, "B never answered")
        release.set()
        await wait_until_quiet(a, after=asked_a, quiet_s=1.5)  # A's whole answer was synthesized and said
    finally:
        release.set()
        if gate is not None:
            await asyncio.wrap_future(gate)
        await a.close()
        await b.close()

    a_jobs = [j for j in _jobs(a.session_id).values() if "start" in j]
    b_jobs = [j for j in _jobs(b.session_id).values() if "start" in j]
    b_first = min(b_jobs, key=lambda j: j["queued"].seq)
    # A's later phrases got later deadlines than their queueing time: they step aside.
    assert any(j["queued"].deadline > j["queued"].at for j in a_jobs[1:])
    # Every A phrase that was waiting when B's first phrase arrived, and was due later, ran after it.
    waiting = [j for j in a_jobs if j["queued"].at <= b_first["queued"].at < j["start"].at]
    assert waiting, (
        "A had no phrase waiting when B asked: the scenario did not happen",
        _show(a_jobs, b_jobs),
    )
    for j in waiting:
        if j["queued"].deadline > b_first["queued"].deadline:
            assert j["start"].at > b_first["start"].at, (j, b_first)
    # And the turn decision of B (due now) never waited behind A's later phrases either.
    b_turn = [j for j in _jobs(b.session_id, "turn").values() if "start" in j]
    assert b_turn


def _show(*groups: list[dict[str, TraceEvent]]) -> list[list[tuple[str, float, float, float]]]:
    t0 = min(j["queued"].at for g in groups for j in g)
    return [
        [
            (j["queued"].worker or "", j["queued"].at - t0, j["queued"].deadline - t0, j["start"].at - t0)
            for j in g
        ]
        for g in groups
    ]
