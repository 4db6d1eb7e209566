"""A finished call leaves nothing of itself alive: its session, pipeline, processors and peers.

Memory per call (issue 14) is measured in bench/memory.py; this test holds its two causes: a
reference kept to a call's objects after its hang-up (a registry, a callback, a task), and a call's
reference cycles left for a full collection that came only every ~25 calls. With the collector's
automatic runs off, two real aiortc calls each ask a question and hang up; once each call's task
has ended (its cleanup and the service's collection after it done), weak references to that call's
objects must all be dead, without the test collecting anything itself.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from agent.session import CallSession
from pipeline.models import MODELS
from signaling.background_server import LiveServer
from tests.call_helpers import ask_out_loud
from tests.voice_fixtures import calls_of


class CallWatch:
    """Weak references to every call the server starts, and an event per call when it is done."""

    def __init__(self, server: LiveServer) -> None:
        self.manager = calls_of(server)
        self.refs: list[tuple[str, weakref.ref[Any]]] = []
        self.done: list[threading.Event] = []
        self._start = self.manager.start_call

    def __enter__(self) -> CallWatch:
        self.manager.start_call = self._watched  # type: ignore[method-assign]
        return self

    def __exit__(self, *_exc: object) -> None:
        del self.manager.start_call  # back to the class's method

    def _watched(self, call: CallSession) -> CallSession:
        self.refs.append(("CallSession", weakref.ref(call)))
        if call.connection is not None:
            self.refs.append(("SmallWebRTCConnection", weakref.ref(call.connection)))
            self.refs.append(("RTCPeerConnection", weakref.ref(call.connection.pc)))
        run = call.run

        async def run_then_watch() -> None:  # the pipeline exists once the call has run
            try:
                await run()
            finally:
                self._watch_pipeline(call)

        call.run = run_then_watch  # type: ignore[method-assign]
        started = self._start(call)
        done = threading.Event()
        self.done.append(done)
        task = self.manager.task_of(call.session_id)
        assert task is not None
        # After the service's own callback (added first): the call's collection has run.
        task.add_done_callback(lambda _t: done.set())
        return started

    def _watch_pipeline(self, call: CallSession) -> None:
        pipeline = call._call
        if pipeline is not None:
            parts = {
                "PipelineWorker": pipeline.worker,
                "TTS": pipeline.tts,
                "STT": pipeline.stt,
                "AnswerProcessor": pipeline.answer,
                "user aggregator": pipeline.context.user(),
                "assistant aggregator": pipeline.context.assistant(),
                "CallRecord": pipeline.record,
            }
            self.refs.extend((name, weakref.ref(obj)) for name, obj in parts.items() if obj is not None)

    async def all_done(self, timeout_s: float = 60.0) -> None:
        for done in self.done:
            assert await asyncio.to_thread(done.wait, timeout_s), "a call never finished"

    def alive(self) -> list[str]:
        return [name for name, ref in self.refs if ref() is not None]


@contextmanager
def no_automatic_collection() -> Iterator[None]:
    """Only the service's own collections free cycles (in the whole process, its thread too)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def test_finished_calls_leave_no_session_pipeline_or_peer_alive(voice_service: LiveServer) -> None:
    models = MODELS.loaded
    assert models is not None
    with no_automatic_collection(), CallWatch(voice_service) as watch:
        for question in ("Which projects used Rust?", "Where does Jordan work right now?"):
            await ask_out_loud(voice_service.url, models, question)
        await watch.all_done()
        alive = watch.alive()
    assert len(watch.done) == 2
    assert len(watch.refs) >= 2 * 9  # each call, its two peer objects, its pipeline's parts
    assert alive == []
