"""One call: one pipeline for one connection, ended cleanly whatever ends it.

Hang-up (the peer closes or stops answering), the caller staying silent, an error, or the
call's time limit all lead to the same `finally`: the pipeline is cancelled, the peer
connection closed, queued turns written, the conversation state saved, and the session row's
`ended_at` set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

import asyncpg
from pipecat.frames.frames import EndFrame, TTSSpeakFrame, UserIdleTimeoutUpdateFrame
from pipecat.processors.frameworks.rtvi import RTVIServerMessageFrame
from pipecat.transports.base_transport import BaseTransport, TransportParams
from pipecat.transports.smallwebrtc.connection import SmallWebRTCConnection
from pipecat.transports.smallwebrtc.transport import SmallWebRTCTransport
from pipecat.workers.runner import WorkerRunner
from redis.asyncio import Redis

from agent import webrtc_tuning
from agent.phrases import phrase
from config.settings import Settings
from pipeline.answer.answerer import Answerer, Conversation
from pipeline.answer_processor import AnsweredTurn
from pipeline.builder import CallPipeline, build_call_pipeline
from pipeline.call_record import CallRecord
from pipeline.latency import TurnLatency
from pipeline.models import SpeechModels
from pipeline.noise_filter import noise_filter
from pipeline.recorder import TurnRecorder
from pipeline.stt_correction import TranscriptCorrector
from storage.audio import AudioStore
from storage.faults import UNAVAILABLE
from storage.session_state import load_state, save_state
from storage.sessions import set_worker
from storage.turn_store import TurnStore

log = logging.getLogger(__name__)

# The data channel's keep-alive: a caller whose pings stop this long ago has gone.
PING_TIMEOUT_S = 10.0
GOODBYE_KEYPAD = phrase("goodbye_keypad")
GOODBYE = phrase("goodbye_idle")


@dataclass(frozen=True)
class CallDeps:
    settings: Settings
    models: SpeechModels
    answerer: Answerer
    pool: asyncpg.Pool
    redis: Redis
    greeting: str
    idle_prompt: str
    turns: TurnStore  # durable turn writes (Postgres, else the local journal)
    worker: str = ""  # this process's name: its heartbeat vouches for the call (storage/heartbeats.py)
    vocabulary: str = ""  # resume names that bias STT spelling
    corrector: TranscriptCorrector | None = None  # puts the resume's words back into transcripts
    audio_store: AudioStore | None = None  # where recordings go (RECORD_CALLS)


class CallSession:
    def __init__(
        self, deps: CallDeps, connection: SmallWebRTCConnection | None, session_id: uuid.UUID
    ) -> None:
        self.deps = deps
        self.connection = connection
        self.session_id = session_id
        self.started = time.monotonic()
        self.end_reason = "unknown"
        self._call: CallPipeline | None = None
        self._runner: WorkerRunner | None = None
        self._recorder = TurnRecorder(deps.turns, session_id, self._send)
        self._prompted = False
        self._last_answer: str | None = None
        # Spoken agent utterances not yet finished, oldest first: (turn id, text, answer compute ms).
        self._speaking: deque[tuple[str, str, float | None]] = deque()

    async def run(self) -> None:
        settings = self.deps.settings
        try:
            if self.deps.worker:
                with contextlib.suppress(*UNAVAILABLE):  # only the reaper needs it
                    await set_worker(self.deps.pool, self.session_id, self.deps.worker)
            conversation = Conversation.from_json(await load_state(self.deps.redis, str(self.session_id)))
            self._recorder.start()
            transport = self._make_transport()
            self._call = call = build_call_pipeline(
                transport,
                settings=settings,
                models=self.deps.models,
                answerer=self.deps.answerer,
                conversation=conversation,
                on_question=self._on_question,
                on_amend=self._recorder.amend_user_turn,
                on_answer=self._on_answer,
                on_latency=self._on_latency,
                vocabulary=self.deps.vocabulary,
                corrector=self.deps.corrector,
                on_key=self._on_key,
                record=CallRecord(settings, self.deps.pool, self.session_id, self.deps.audio_store),
                call_id=str(self.session_id),
            )
            self._wire_events(transport, call)
            self._runner = WorkerRunner(handle_sigint=False, check_dangling_tasks=False)
            await self._runner.add_workers(call.worker)
            watchdog = asyncio.create_task(self._watch_peer(), name=f"call-watchdog-{self.session_id}")
            try:
                async with asyncio.timeout(settings.call_max_s):
                    await self._runner.run()
                if self.end_reason == "unknown":
                    self.end_reason = "ended"
            except TimeoutError:
                self.end_reason = "time limit"
            finally:
                watchdog.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watchdog
        except asyncio.CancelledError:
            self.end_reason = "shutdown" if self.end_reason == "unknown" else self.end_reason
            raise
        except Exception:
            self.end_reason = "error"
            log.exception("call %s failed", self.session_id)
        finally:
            await asyncio.shield(self._cleanup())

    async def hang_up(self, reason: str) -> None:
        """End the call now (peer gone, server shutting down)."""
        if self.end_reason == "unknown":
            self.end_reason = reason
        if self._call is not None:
            await self._call.worker.cancel(reason=reason)

    async def _cleanup(self) -> None:
        call = self._call
        with contextlib.suppress(Exception):
            if call is not None and not call.worker.has_finished():
                await call.worker.cancel(reason=self.end_reason)
        with contextlib.suppress(Exception):
            await self._close_peer()
        while self._speaking:  # cut off by the end of the call
            uid, text, answer_ms = self._speaking.popleft()
            await self._recorder.agent_done(uid, text, interrupted=True, heard=None, answer_ms=answer_ms)
        await self._recorder.close()
        if call is not None and call.record is not None:
            await call.record.close(self.end_reason)  # last recording, usage and cost, end reason
        if call is not None:  # kept in this process if Redis is down (storage/session_state.py)
            state = call.answer.conversation.to_json()
            await save_state(
                self.deps.redis, str(self.session_id), state, self.deps.settings.session_state_ttl_s
            )
        try:
            await self.deps.turns.end(self.session_id)  # journaled while Postgres is down
        except Exception:
            log.exception("could not close session %s", self.session_id)
        log.info(
            "call %s ended (%s) after %.1f s",
            self.session_id,
            self.end_reason,
            time.monotonic() - self.started,
        )

    # The three places a call touches its peer; other transports (LiveKit rooms, phone media
    # streams) override them and reuse everything else.
    def _make_transport(self) -> BaseTransport:
        assert self.connection is not None, "a WebRTC call needs its connection"
        webrtc_tuning.low_latency_receivers(self.connection.pc)
        return SmallWebRTCTransport(
            self.connection,
            TransportParams(
                audio_in_enabled=True,
                audio_out_enabled=True,
                audio_out_10ms_chunks=2,
                audio_in_filter=noise_filter(self.deps.settings),
            ),
        )

    async def _close_peer(self) -> None:
        if self.connection is not None:
            await self.connection.disconnect()

    def _wire_events(self, transport: BaseTransport, call: CallPipeline) -> None:
        user = call.context.user()
        assistant = call.context.assistant()

        @transport.event_handler("on_client_connected")
        async def _connected(_transport: Any, _client: Any) -> None:
            await self._say(self.deps.greeting)

        @transport.event_handler("on_client_disconnected")
        async def _disconnected(_transport: Any, _client: Any) -> None:
            await self.hang_up("hang-up")

        @user.event_handler("on_user_turn_started")
        async def _user_started(_aggregator: Any, _strategy: Any) -> None:
            if self._prompted:  # the caller is back: the idle clock starts over from the prompt
                self._prompted = False
                await call.worker.queue_frame(
                    UserIdleTimeoutUpdateFrame(timeout=self.deps.settings.idle_prompt_s)
                )

        @user.event_handler("on_user_turn_idle")
        async def _idle(_aggregator: Any) -> None:
            await self._on_idle(call)

        @assistant.event_handler("on_assistant_turn_stopped")
        async def _agent_done(_aggregator: Any, message: Any) -> None:
            heard = getattr(message, "content", None)
            await self._on_agent_turn_end(bool(getattr(message, "interrupted", False)), heard)

    async def _say(self, text: str, *then: Any) -> None:
        """Speak a line of our own (greeting, idle prompt, goodbye); it is an agent turn too."""
        await self._send({"type": "transcript", "role": "assistant", "text": text, "final": True})
        self._speaking.append((self._recorder.agent_speaking(text), text, None))
        assert self._call is not None
        await self._call.worker.queue_frames([TTSSpeakFrame(text), *then])

    async def _on_idle(self, call: CallPipeline) -> None:
        settings = self.deps.settings
        if not self._prompted:
            self._prompted = True
            remaining = max(1.0, settings.idle_hangup_s - settings.idle_prompt_s)
            await self._say(self.deps.idle_prompt, UserIdleTimeoutUpdateFrame(timeout=remaining))
            return
        self.end_reason = "idle"
        await self._send({"type": "call-ended", "reason": "idle"})
        # EndFrame after the goodbye: the pipeline plays it out, then stops.
        await self._say(GOODBYE, EndFrame())

    async def _on_question(self, question: str) -> None:
        await self._recorder.user_turn(question)

    async def _on_answer(self, turn: AnsweredTurn) -> None:
        result = turn.answer.result
        self._recorder.analytics(
            turn.question,
            result.intent,
            [i.id for i in result.items],
            result.refused,
            turn.answer.source,
            turn.answer.latency_ms,
        )
        await self._send(
            {
                "type": "transcript",
                "role": "assistant",
                "text": turn.text,
                "final": True,
                "spoken": turn.spoken,
                "source": turn.answer.source,
            }
        )
        self._last_answer = turn.text
        if turn.spoken:  # stored now as 'speaking', settled when it has been said or cut off
            self._speaking.append(
                (self._recorder.agent_speaking(turn.text), turn.text, turn.answer.latency_ms)
            )
        else:
            await self._recorder.agent_turn(turn.text, answer_ms=turn.answer.latency_ms)

    async def _on_key(self, digit: str) -> None:
        """Keypad: 0 repeats the last answer, # ends the call politely; other keys are ignored."""
        if digit == "0":
            await self._say(self._last_answer or self.deps.greeting)
        elif digit == "#":
            self.end_reason = "caller ended"
            await self._send({"type": "call-ended", "reason": "caller ended"})
            await self._say(GOODBYE_KEYPAD, EndFrame())

    async def _on_latency(self, latency: TurnLatency) -> None:
        await self._recorder.latency(latency)

    async def _on_agent_turn_end(self, interrupted: bool, heard: str | None = None) -> None:
        # An interruption cuts off everything still queued to be said; otherwise one line ended.
        # What the caller heard of a cut-off line is Pipecat's transcript of the audio played.
        count = len(self._speaking) if interrupted else min(1, len(self._speaking))
        for i in range(count):
            uid, text, answer_ms = self._speaking.popleft()
            part = (heard or "") if i == 0 else ""
            await self._recorder.agent_done(
                uid, text, interrupted=interrupted, heard=part if interrupted else None, answer_ms=answer_ms
            )

    async def _send(self, data: dict[str, Any]) -> None:
        call = self._call
        if call is not None and not call.worker.has_finished():
            await call.worker.queue_frame(RTVIServerMessageFrame(data=data))

    async def _watch_peer(self) -> None:
        """Notice a caller who vanished without closing (tab killed, network gone)."""
        connection = self.connection
        if connection is None:
            return
        while True:
            await asyncio.sleep(1.0)
            pc = connection.pc
            last_ping = connection._last_received_time  # Pipecat's own keep-alive bookkeeping
            gone = pc.connectionState in ("failed", "closed") or (
                last_ping is not None and time.time() - last_ping > PING_TIMEOUT_S
            )
            if gone:
                await self.hang_up("peer lost")
                return
